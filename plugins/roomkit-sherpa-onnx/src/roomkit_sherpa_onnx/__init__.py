"""RoomKit local speech on sherpa-onnx.

``SherpaOnnxVADProvider`` (silero / TEN VAD), ``SherpaOnnxTTSProvider`` (VITS and Piper
voices, phonemes from espeak-ng) and ``SherpaOnnxSTTProvider`` (offline models from a path).
Importing this package imports sherpa-onnx but loads no model.
"""

from roomkit_sherpa_onnx.piper import (
    PiperVoice,
    bundled_piper_voice,
    espeak_phonemes,
    prepare_piper_voice,
)
from roomkit_sherpa_onnx.stt import SherpaOnnxSTTConfig, SherpaOnnxSTTProvider
from roomkit_sherpa_onnx.tts import SherpaOnnxTTSConfig, SherpaOnnxTTSProvider
from roomkit_sherpa_onnx.vad import SherpaOnnxVADConfig, SherpaOnnxVADProvider
from roomkit_sherpa_onnx.version import __version__

__all__ = [
    "PiperVoice",
    "SherpaOnnxSTTConfig",
    "SherpaOnnxSTTProvider",
    "SherpaOnnxTTSConfig",
    "SherpaOnnxTTSProvider",
    "SherpaOnnxVADConfig",
    "SherpaOnnxVADProvider",
    "__version__",
    "bundled_piper_voice",
    "espeak_phonemes",
    "prepare_piper_voice",
]
