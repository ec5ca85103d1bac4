"""Registration hooks of roomkit-speex. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_speex.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_audio_stages"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-speex distribution."""
    return PluginInfo(
        name="speex",
        distribution="roomkit-speex",
        version=__version__,
        kernel_api=">=1,<2",
        description="Acoustic echo cancellation with libspeexdsp",
    )


@hookimpl
def roomkit_register_audio_stages(register: Register) -> None:
    """Register the ``speex-aec`` stage."""
    register(
        ComponentDescriptor(
            kind="audio_stage",
            name="speex-aec",
            factory="roomkit_speex.aec:SpeexAECProvider",
            capabilities=frozenset({"aec", "analyses_audio"}),
            exports=("SpeexAECProvider",),
            conformance="roomkit_speex.testing:speex_aec",
            description="libspeexdsp adaptive echo canceller",
        )
    )
