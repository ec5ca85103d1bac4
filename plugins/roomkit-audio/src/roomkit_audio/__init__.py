"""RoomKit audio pipeline stages on numpy and soxr.

``SoxrResamplerProvider``, ``EnergyVADProvider``, ``EnergyAGCProvider``,
``GoertzelDTMFDetector`` and ``WavFileRecorder``. With this distribution installed they also
resolve from ``roomkit.voice.pipeline`` (``from roomkit.voice.pipeline import
EnergyVADProvider``, as in RoomKit 0.6.7).
"""

from roomkit_audio.agc import EnergyAGCProvider
from roomkit_audio.dtmf import GoertzelDTMFDetector
from roomkit_audio.recorder import WavFileRecorder
from roomkit_audio.resampler import SoxrResamplerProvider
from roomkit_audio.vad import EnergyVADProvider
from roomkit_audio.version import __version__

__all__ = [
    "EnergyAGCProvider",
    "EnergyVADProvider",
    "GoertzelDTMFDetector",
    "SoxrResamplerProvider",
    "WavFileRecorder",
    "__version__",
]
