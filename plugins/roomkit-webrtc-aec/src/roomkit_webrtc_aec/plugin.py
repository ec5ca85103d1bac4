"""Registration hooks of roomkit-webrtc-aec. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_webrtc_aec.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_audio_stages"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-webrtc-aec distribution."""
    return PluginInfo(
        name="webrtc-aec",
        distribution="roomkit-webrtc-aec",
        version=__version__,
        kernel_api=">=1,<2",
        description="Acoustic echo cancellation with WebRTC AEC3",
    )


@hookimpl
def roomkit_register_audio_stages(register: Register) -> None:
    """Register the ``webrtc-aec`` stage."""
    register(
        ComponentDescriptor(
            kind="audio_stage",
            name="webrtc-aec",
            factory="roomkit_webrtc_aec.aec:WebRTCAECProvider",
            capabilities=frozenset({"aec", "analyses_audio"}),
            exports=("WebRTCAECProvider",),
            conformance="roomkit_webrtc_aec.testing:webrtc_aec",
            description="WebRTC AEC3 echo canceller (aec-audio-processing)",
        )
    )
