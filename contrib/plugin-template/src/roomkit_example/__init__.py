"""roomkit-example: a channel that delivers the text of each event to a sink.

Names are imported on first use, so importing the package (which listing plugins does) stays
cheap.
"""

from typing import TYPE_CHECKING

from roomkit.plugins import lazy_exports
from roomkit_example.version import __version__

_EXPORTS = {
    "ExampleChannel": "roomkit_example.channel",
    "ExampleConfig": "roomkit_example.config",
}

__all__ = ["ExampleChannel", "ExampleConfig", "__version__"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_example.channel import ExampleChannel
    from roomkit_example.config import ExampleConfig
