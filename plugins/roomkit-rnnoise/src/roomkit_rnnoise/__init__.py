"""RoomKit noise suppression with RNNoise: ``RNNoiseDenoiserProvider`` (also importable from
``roomkit.voice.pipeline`` when installed, as in RoomKit 0.6.7)."""

from roomkit_rnnoise.denoiser import RNNoiseDenoiserProvider
from roomkit_rnnoise.version import __version__

__all__ = ["RNNoiseDenoiserProvider", "__version__"]
