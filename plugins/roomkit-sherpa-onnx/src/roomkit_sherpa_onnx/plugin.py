"""Registration hooks of roomkit-sherpa-onnx. Imports nothing heavy: every reference is lazy."""

from __future__ import annotations

from roomkit.plugins import ComponentDescriptor, PluginInfo, hookimpl
from roomkit.plugins.hookspecs import Register
from roomkit_sherpa_onnx.version import __version__

__all__ = [
    "roomkit_plugin_info",
    "roomkit_register_audio_stages",
    "roomkit_register_voice",
]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """Describe the roomkit-sherpa-onnx distribution."""
    return PluginInfo(
        name="sherpa-onnx",
        distribution="roomkit-sherpa-onnx",
        version=__version__,
        kernel_api=">=1,<2",
        description="Local speech on sherpa-onnx: silero VAD, Piper TTS, offline STT",
    )


@hookimpl
def roomkit_register_voice(register: Register) -> None:
    """Register the ``sherpa-onnx`` TTS and STT providers."""
    register(
        ComponentDescriptor(
            kind="tts",
            name="sherpa-onnx",
            factory="roomkit_sherpa_onnx.tts:SherpaOnnxTTSProvider",
            exports=("SherpaOnnxTTSConfig", "SherpaOnnxTTSProvider"),
            conformance="roomkit_sherpa_onnx.testing:piper_tts",
            description="VITS / Piper voices, streamed per sentence",
        )
    )
    register(
        ComponentDescriptor(
            kind="stt",
            name="sherpa-onnx",
            factory="roomkit_sherpa_onnx.stt:SherpaOnnxSTTProvider",
            exports=("SherpaOnnxSTTConfig", "SherpaOnnxSTTProvider"),
            conformance_exempt=(
                "no sherpa-onnx speech-recognition model is installable offline (none ships "
                "on PyPI); the model-loading path is tested with real files that are not ASR "
                "models"
            ),
            description="Offline transducer / Whisper / Paraformer models from a path",
        )
    )


@hookimpl
def roomkit_register_audio_stages(register: Register) -> None:
    """Register the ``sherpa-onnx-vad`` and ``sherpa-onnx-denoiser`` stages."""
    register(
        ComponentDescriptor(
            kind="audio_stage",
            name="sherpa-onnx-vad",
            factory="roomkit_sherpa_onnx.vad:SherpaOnnxVADProvider",
            capabilities=frozenset({"vad", "analyses_audio"}),
            exports=("SherpaOnnxVADConfig", "SherpaOnnxVADProvider"),
            conformance="roomkit_sherpa_onnx.testing:silero_vad",
            description="Neural VAD (silero / TEN) with utterance buffering",
        )
    )
    register(
        ComponentDescriptor(
            kind="audio_stage",
            name="sherpa-onnx-denoiser",
            factory="roomkit_sherpa_onnx.denoiser:SherpaOnnxDenoiserProvider",
            capabilities=frozenset({"denoiser", "analyses_audio"}),
            exports=("SherpaOnnxDenoiserConfig", "SherpaOnnxDenoiserProvider"),
            conformance="roomkit_sherpa_onnx.testing:gtcrn_denoiser",
            description="GTCRN neural noise suppression (streaming)",
        )
    )
