"""Registration hooks of roomkit-rnnoise. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_rnnoise.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_audio_stages"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-rnnoise distribution."""
    return PluginInfo(
        name="rnnoise",
        distribution="roomkit-rnnoise",
        version=__version__,
        kernel_api=">=1,<2",
        description="RNNoise noise suppression (pyrnnoise)",
    )


@hookimpl
def roomkit_register_audio_stages(register: Register) -> None:
    """Register the ``rnnoise`` denoiser stage."""
    register(
        ComponentDescriptor(
            kind="audio_stage",
            name="rnnoise",
            factory="roomkit_rnnoise.denoiser:RNNoiseDenoiserProvider",
            capabilities=frozenset({"denoiser", "analyses_audio"}),
            exports=("RNNoiseDenoiserProvider",),
            conformance="roomkit_rnnoise.testing:rnnoise",
            description="Xiph RNNoise recurrent-network noise suppression",
        )
    )
