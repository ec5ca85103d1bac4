"""Test doubles that ship with RoomKit, so applications test without patching anything.

``MockAIProvider`` answers from a script and records every request; ``MockIdentityResolver``
resolves senders from a table; ``MockTelemetryProvider`` keeps every span and metric; the
messaging mocks (``MockSMSProvider``, ``MockEmailProvider`` ...) record what they send, fail on
demand and receive signed webhooks (see :mod:`roomkit.providers.mock`). Names load lazily on
first use; the ``if TYPE_CHECKING:`` block below is the one list of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.lazy import TypeCheckingExports, lazy_exports

_EXPORTS = TypeCheckingExports(__name__)

_lookup, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


def __getattr__(name: str) -> Any:
    if name == "__all__":
        names = globals()["__all__"] = sorted(_EXPORTS)
        return names
    return _lookup(name)


if TYPE_CHECKING:
    from roomkit.identity.mock import MockIdentityResolver as MockIdentityResolver
    from roomkit.providers.ai.mock import MockAIProvider as MockAIProvider
    from roomkit.providers.email.mock import MockEmailProvider as MockEmailProvider
    from roomkit.providers.http.mock import MockHTTPProvider as MockHTTPProvider
    from roomkit.providers.messenger.mock import MockMessengerProvider as MockMessengerProvider
    from roomkit.providers.rcs.mock import MockRCSProvider as MockRCSProvider
    from roomkit.providers.sms.mock import MockSMSProvider as MockSMSProvider
    from roomkit.providers.teams.mock import MockTeamsProvider as MockTeamsProvider
    from roomkit.providers.telegram.mock import MockTelegramProvider as MockTelegramProvider
    from roomkit.providers.whatsapp.mock import (
        MockWhatsAppPersonalProvider as MockWhatsAppPersonalProvider,
    )
    from roomkit.providers.whatsapp.mock import MockWhatsAppProvider as MockWhatsAppProvider
    from roomkit.telemetry.mock import MockTelemetryProvider as MockTelemetryProvider
