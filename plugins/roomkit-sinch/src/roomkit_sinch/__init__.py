"""roomkit-sinch: SMS and MMS through the Sinch REST API, with HMAC-signed callbacks for
inbound messages and delivery reports.

Names load on first use: importing the package does not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_sinch.version import __version__

__all__ = [
    "SinchConfig",
    "SinchSMSProvider",
    "SinchSignatureVerifier",
    "SinchWebhookParser",
    "__version__",
    "parse_sinch_webhook",
]

_EXPORTS = {
    "SinchConfig": "roomkit_sinch.config",
    "SinchSMSProvider": "roomkit_sinch.provider",
    "SinchSignatureVerifier": "roomkit_sinch.webhooks",
    "SinchWebhookParser": "roomkit_sinch.webhooks",
    "parse_sinch_webhook": "roomkit_sinch.webhooks",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_sinch.config import SinchConfig
    from roomkit_sinch.provider import SinchSMSProvider
    from roomkit_sinch.webhooks import (
        SinchSignatureVerifier,
        SinchWebhookParser,
        parse_sinch_webhook,
    )
