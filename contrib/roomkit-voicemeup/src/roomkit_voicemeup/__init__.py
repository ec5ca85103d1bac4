"""roomkit-voicemeup: SMS / MMS through VoiceMeUp, with MMS reassembly (contrib plugin).

Names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_voicemeup.version import __version__

__all__ = [
    "VoiceMeUpConfig",
    "VoiceMeUpSMSProvider",
    "__version__",
    "configure_voicemeup_mms",
    "parse_voicemeup_webhook",
]

_WHERE = {
    "VoiceMeUpConfig": "roomkit_voicemeup.config",
    "VoiceMeUpSMSProvider": "roomkit_voicemeup.sms",
    "configure_voicemeup_mms": "roomkit_voicemeup.sms",
    "parse_voicemeup_webhook": "roomkit_voicemeup.sms",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

if TYPE_CHECKING:
    from roomkit_voicemeup.config import VoiceMeUpConfig
    from roomkit_voicemeup.sms import (
        VoiceMeUpSMSProvider,
        configure_voicemeup_mms,
        parse_voicemeup_webhook,
    )
