"""Registration hooks of roomkit-audio. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_audio.version import __version__

__all__ = ["roomkit_plugin_info", "roomkit_register_audio_stages"]

#: (name, "module:Class" under roomkit_audio, capabilities, exported names, description)
_STAGES = (
    (
        "soxr-resampler",
        "resampler:SoxrResamplerProvider",
        {"resampler", "analyses_audio"},
        ("SoxrResamplerProvider",),
        "Streaming sample-rate conversion with libsoxr",
    ),
    (
        "energy-vad",
        "vad:EnergyVADProvider",
        {"vad", "analyses_audio"},
        ("EnergyVADProvider",),
        "RMS voice activity detection with pre-roll and hangover",
    ),
    (
        "energy-agc",
        "agc:EnergyAGCProvider",
        {"agc", "analyses_audio"},
        ("EnergyAGCProvider",),
        "Smoothed gain towards a target level, peak-limited",
    ),
    (
        "goertzel-dtmf",
        "dtmf:GoertzelDTMFDetector",
        {"dtmf", "analyses_audio"},
        ("GoertzelDTMFDetector",),
        "DTMF keys from Goertzel tone powers",
    ),
    (
        "wav-recorder",
        "recorder:WavFileRecorder",
        {"recorder"},
        ("WavFileRecorder",),
        "Records sessions to WAV files (mixed, stereo or separate)",
    ),
)


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-audio distribution."""
    return PluginInfo(
        name="audio",
        distribution="roomkit-audio",
        version=__version__,
        kernel_api=">=1,<2",
        description="Audio pipeline stages on numpy and soxr",
    )


@hookimpl
def roomkit_register_audio_stages(register: Register) -> None:
    """Register the resampler, energy VAD, AGC, DTMF detector and WAV recorder."""
    for name, factory, capabilities, exports, description in _STAGES:
        register(
            ComponentDescriptor(
                kind="audio_stage",
                name=name,
                factory=f"roomkit_audio.{factory}",
                capabilities=frozenset(capabilities),
                exports=exports,
                conformance=f"roomkit_audio.testing:{name.replace('-', '_')}",
                description=description,
            )
        )
