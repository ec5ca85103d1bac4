"""Let the tests run from a checkout before the plugin is installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("roomkit_sse") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
