"""roomkit-webhook: room events posted as signed JSON to any HTTP endpoint, and that
endpoint's signed webhooks received back (messages and delivery statuses).

Names load on first use: importing the package does not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_webhook.version import __version__

__all__ = [
    "HTTPProviderConfig",
    "HTTPWebhookParser",
    "WebhookHTTPProvider",
    "__version__",
    "parse_http_status",
    "parse_http_webhook",
]

_EXPORTS = {
    "HTTPProviderConfig": "roomkit_webhook.config",
    "HTTPWebhookParser": "roomkit_webhook.inbound",
    "WebhookHTTPProvider": "roomkit_webhook.provider",
    "parse_http_status": "roomkit_webhook.inbound",
    "parse_http_webhook": "roomkit_webhook.inbound",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_webhook.config import HTTPProviderConfig
    from roomkit_webhook.inbound import HTTPWebhookParser, parse_http_status, parse_http_webhook
    from roomkit_webhook.provider import WebhookHTTPProvider
