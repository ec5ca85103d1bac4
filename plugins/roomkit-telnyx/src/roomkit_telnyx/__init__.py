"""roomkit-telnyx: SMS / MMS and RCS through Telnyx, with ed25519-signed webhooks.

Names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_telnyx.version import __version__

__all__ = [
    "TelnyxConfig",
    "TelnyxRCSConfig",
    "TelnyxRCSProvider",
    "TelnyxSMSProvider",
    "__version__",
    "parse_telnyx_rcs_webhook",
    "parse_telnyx_webhook",
]

_WHERE = {
    "TelnyxConfig": "roomkit_telnyx.config",
    "TelnyxRCSConfig": "roomkit_telnyx.config",
    "TelnyxSMSProvider": "roomkit_telnyx.sms",
    "TelnyxRCSProvider": "roomkit_telnyx.rcs",
    "parse_telnyx_webhook": "roomkit_telnyx.sms",
    "parse_telnyx_rcs_webhook": "roomkit_telnyx.rcs",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

if TYPE_CHECKING:
    from roomkit_telnyx.config import TelnyxConfig, TelnyxRCSConfig
    from roomkit_telnyx.rcs import TelnyxRCSProvider, parse_telnyx_rcs_webhook
    from roomkit_telnyx.sms import TelnyxSMSProvider, parse_telnyx_webhook
