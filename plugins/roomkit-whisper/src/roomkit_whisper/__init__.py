"""RoomKit speech-to-text with local Whisper models (faster-whisper).

Importing this package does not import faster-whisper; that happens when the model loads.
"""

from roomkit_whisper.stt import WhisperConfig, WhisperSTTProvider, bundled_tiny_en
from roomkit_whisper.version import __version__

__all__ = ["WhisperConfig", "WhisperSTTProvider", "__version__", "bundled_tiny_en"]
