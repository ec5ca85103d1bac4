"""RoomKit AI provider for Google Gemini (google-genai).

Importing this package does not import google-genai; that happens when the first provider
is built.
"""

from roomkit_gemini.config import GeminiConfig
from roomkit_gemini.provider import GeminiAIProvider
from roomkit_gemini.version import __version__

__all__ = ["GeminiAIProvider", "GeminiConfig", "__version__"]
