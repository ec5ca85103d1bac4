"""Registers the local sound card backend with RoomKit (references are lazy)."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_local_audio.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_voice"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-local-audio distribution."""
    return PluginInfo(
        name="local-audio",
        distribution="roomkit-local-audio",
        version=__version__,
        kernel_api=">=1,<2",
        description="Microphone and speaker of the local machine (sounddevice; contrib)",
    )


@hookimpl
def roomkit_register_voice(register: Register) -> None:
    """Register ``voice_backend:local``."""
    register(
        ComponentDescriptor(
            kind="voice_backend",
            name="local",
            factory="roomkit_local_audio.backend:LocalAudioBackend",
            capabilities=frozenset({"interruption"}),
            exports=("AudioDeviceError", "LocalAudioBackend"),
            conformance="roomkit_local_audio.testing:local_audio_harness",
            description="The local microphone and speaker through sounddevice / PortAudio",
        )
    )
