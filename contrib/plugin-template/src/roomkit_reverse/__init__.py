"""roomkit-reverse: a minimal, complete RoomKit plugin to copy new plugins from."""

from roomkit_reverse.channel import ReverseChannel
from roomkit_reverse.config import ReverseConfig
from roomkit_reverse.version import __version__

__all__ = ["ReverseChannel", "ReverseConfig", "__version__"]
