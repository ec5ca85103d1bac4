"""RoomKit acoustic echo cancellation with WebRTC AEC3 (the ``aec-audio-processing`` binding):
``WebRTCAECProvider`` (also importable from ``roomkit.voice.pipeline`` when installed)."""

from roomkit_webrtc_aec.aec import WebRTCAECProvider
from roomkit_webrtc_aec.version import __version__

__all__ = ["WebRTCAECProvider", "__version__"]
