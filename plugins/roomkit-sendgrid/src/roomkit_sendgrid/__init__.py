"""roomkit-sendgrid: email through Twilio SendGrid's v3 Mail Send, delivery statuses from
its signed Event Webhook, and replies from Inbound Parse.

Names load on first use: importing the package imports neither httpx nor cryptography.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_sendgrid.version import __version__

__all__ = [
    "SendGridConfig",
    "SendGridProvider",
    "SendGridSignatureVerifier",
    "SendGridWebhookParser",
    "SendGridWebhookVerifier",
    "__version__",
    "parse_events",
]

_EXPORTS = {
    "SendGridConfig": "roomkit_sendgrid.config",
    "SendGridProvider": "roomkit_sendgrid.provider",
    "SendGridSignatureVerifier": "roomkit_sendgrid.signature",
    "SendGridWebhookParser": "roomkit_sendgrid.webhooks",
    "SendGridWebhookVerifier": "roomkit_sendgrid.webhooks",
    "parse_events": "roomkit_sendgrid.events",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_sendgrid.config import SendGridConfig
    from roomkit_sendgrid.events import parse_events
    from roomkit_sendgrid.provider import SendGridProvider
    from roomkit_sendgrid.signature import SendGridSignatureVerifier
    from roomkit_sendgrid.webhooks import SendGridWebhookParser, SendGridWebhookVerifier
