"""RoomKit local speech on sherpa-onnx.

``SherpaOnnxVADProvider`` (silero / TEN VAD), ``SherpaOnnxTTSProvider`` (VITS and Piper
voices, phonemes from espeak-ng), ``SherpaOnnxSTTProvider`` (offline models from a path) and
``SherpaOnnxDenoiserProvider`` (GTCRN noise suppression).
Importing this package imports sherpa-onnx but loads no model.
"""

from roomkit_sherpa_onnx.denoiser import SherpaOnnxDenoiserConfig, SherpaOnnxDenoiserProvider
from roomkit_sherpa_onnx.gtcrn import bundled_gtcrn_model, prepare_gtcrn_model
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
    "SherpaOnnxDenoiserConfig",
    "SherpaOnnxDenoiserProvider",
    "SherpaOnnxSTTConfig",
    "SherpaOnnxSTTProvider",
    "SherpaOnnxTTSConfig",
    "SherpaOnnxTTSProvider",
    "SherpaOnnxVADConfig",
    "SherpaOnnxVADProvider",
    "__version__",
    "bundled_gtcrn_model",
    "bundled_piper_voice",
    "espeak_phonemes",
    "prepare_gtcrn_model",
    "prepare_piper_voice",
]
