"""RoomKit acoustic echo cancellation with libspeexdsp: ``SpeexAECProvider`` (also
importable from ``roomkit.voice.pipeline`` when installed, as in RoomKit 0.6.7)."""

from roomkit_speex.aec import SpeexAECProvider
from roomkit_speex.version import __version__

__all__ = ["SpeexAECProvider", "__version__"]
