"""RoomKit AI provider for Mistral AI.

Importing this package does not import the mistralai SDK; that happens when the first
provider is built.
"""

from roomkit_mistral.config import MistralConfig
from roomkit_mistral.provider import MistralAIProvider
from roomkit_mistral.version import __version__

__all__ = ["MistralAIProvider", "MistralConfig", "__version__"]
