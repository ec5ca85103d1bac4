"""roomkit-messenger: Facebook Messenger through the Graph API Send API (text, media,
buttons, quick replies, templates) and its signed webhooks (messages, postbacks, deliveries).

Names load on first use: importing the package does not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_messenger.version import __version__

__all__ = [
    "FacebookMessengerProvider",
    "MessengerConfig",
    "MessengerProvider",
    "MessengerWebhookParser",
    "MetaSignatureVerifier",
    "__version__",
    "build_messages",
    "parse_messenger_events",
    "parse_messenger_webhook",
]

_EXPORTS = {
    "FacebookMessengerProvider": "roomkit_messenger.provider",
    "MessengerConfig": "roomkit_messenger.config",
    "MessengerProvider": "roomkit.providers.messenger.base",
    "MessengerWebhookParser": "roomkit_messenger.webhooks",
    "MetaSignatureVerifier": "roomkit_messenger.webhooks",
    "build_messages": "roomkit_messenger.messages",
    "parse_messenger_events": "roomkit_messenger.webhooks",
    "parse_messenger_webhook": "roomkit_messenger.webhooks",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit.providers.messenger.base import MessengerProvider
    from roomkit_messenger.config import MessengerConfig
    from roomkit_messenger.messages import build_messages
    from roomkit_messenger.provider import FacebookMessengerProvider
    from roomkit_messenger.webhooks import (
        MessengerWebhookParser,
        MetaSignatureVerifier,
        parse_messenger_events,
        parse_messenger_webhook,
    )
