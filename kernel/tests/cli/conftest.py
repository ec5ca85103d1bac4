"""Reuse the fake-distribution fixtures of the plugin tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_roomkit_plugin_test_fixtures", Path(__file__).parent.parent / "plugins" / "conftest.py"
)
assert _spec is not None
assert _spec.loader is not None
_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _fixtures
_spec.loader.exec_module(_fixtures)

site_dir = _fixtures.site_dir
make_plugin = _fixtures.make_plugin
source = _fixtures.source
