"""Registration hooks of roomkit-whisper. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_whisper.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_voice"]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-whisper distribution."""
    return PluginInfo(
        name="whisper",
        distribution="roomkit-whisper",
        version=__version__,
        kernel_api=">=1,<2",
        description="Local Whisper speech-to-text (faster-whisper)",
    )


@hookimpl
def roomkit_register_voice(register: Register) -> None:
    """Register the ``whisper`` STT provider."""
    register(
        ComponentDescriptor(
            kind="stt",
            name="whisper",
            factory="roomkit_whisper.stt:WhisperSTTProvider",
            capabilities=frozenset({"streaming", "analyses_audio"}),
            exports=("WhisperConfig", "WhisperSTTProvider"),
            conformance="roomkit_whisper.testing:tiny_en",
            description="faster-whisper, batch and utterance streaming with partials",
        )
    )
