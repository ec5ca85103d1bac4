"""Test doubles that ship with RoomKit, so applications test without patching anything.

``MockAIProvider`` answers from a script and records every request; ``MockIdentityResolver``
resolves senders from a table; the messaging mocks (``MockSMSProvider``, ``MockEmailProvider``
...) record what they send, fail on demand and receive signed webhooks (see
:mod:`roomkit.providers.mock`). Names load lazily on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports

__all__ = [
    "MockAIProvider",
    "MockEmailProvider",
    "MockHTTPProvider",
    "MockIdentityResolver",
    "MockMessengerProvider",
    "MockRCSProvider",
    "MockSMSProvider",
    "MockTeamsProvider",
    "MockTelegramProvider",
    "MockWhatsAppPersonalProvider",
    "MockWhatsAppProvider",
]

_WHERE = {
    "MockAIProvider": "roomkit.providers.ai.mock",
    "MockEmailProvider": "roomkit.providers.email.mock",
    "MockHTTPProvider": "roomkit.providers.http.mock",
    "MockIdentityResolver": "roomkit.identity.mock",
    "MockMessengerProvider": "roomkit.providers.messenger.mock",
    "MockRCSProvider": "roomkit.providers.rcs.mock",
    "MockSMSProvider": "roomkit.providers.sms.mock",
    "MockTeamsProvider": "roomkit.providers.teams.mock",
    "MockTelegramProvider": "roomkit.providers.telegram.mock",
    "MockWhatsAppPersonalProvider": "roomkit.providers.whatsapp.mock",
    "MockWhatsAppProvider": "roomkit.providers.whatsapp.mock",
}


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())


if TYPE_CHECKING:
    from roomkit.identity.mock import MockIdentityResolver
    from roomkit.providers.ai.mock import MockAIProvider
    from roomkit.providers.email.mock import MockEmailProvider
    from roomkit.providers.http.mock import MockHTTPProvider
    from roomkit.providers.messenger.mock import MockMessengerProvider
    from roomkit.providers.rcs.mock import MockRCSProvider
    from roomkit.providers.sms.mock import MockSMSProvider
    from roomkit.providers.teams.mock import MockTeamsProvider
    from roomkit.providers.telegram.mock import MockTelegramProvider
    from roomkit.providers.whatsapp.mock import MockWhatsAppPersonalProvider, MockWhatsAppProvider
