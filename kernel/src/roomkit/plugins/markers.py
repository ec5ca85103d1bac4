"""The pluggy markers of the ``roomkit`` project.

Plugins decorate their registration functions with :data:`hookimpl`; the kernel's hookspecs
use :data:`hookspec`.
"""

from __future__ import annotations

import pluggy

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "roomkit"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
