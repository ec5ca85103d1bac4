"""RoomKit AI provider for Anthropic Claude.

Importing this package does not import the anthropic SDK; that happens when the first
provider is built.
"""

from roomkit_anthropic.config import AnthropicConfig
from roomkit_anthropic.provider import AnthropicAIProvider
from roomkit_anthropic.version import __version__

__all__ = ["AnthropicAIProvider", "AnthropicConfig", "__version__"]
