"""Plain-text tables and JSON output shared by the CLI commands."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["print_json", "render_table", "terminal_width"]

_GAP = "  "
_MIN_COLUMN = 8
_ROOMY_LAST = 30


def terminal_width() -> int:
    """The terminal's width in columns (``COLUMNS`` if set; 100 when not a terminal)."""
    return shutil.get_terminal_size(fallback=(100, 24)).columns


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None = None
) -> str:
    """Left-aligned columns separated by two spaces, fitted to ``width`` columns.

    ``width`` defaults to the terminal's. When the table is wider, the widest columns are
    narrowed (the last column first, down to 30 characters; never below a header or 8
    characters) and their cells wrap onto more lines: nothing is cut.
    """
    limit = width if width is not None else terminal_width()
    cells = [[" ".join(str(cell).split()) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    floors = [max(len(h), _MIN_COLUMN) for h in headers]
    while sum(widths) + len(_GAP) * (len(widths) - 1) > limit:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        last = len(widths) - 1
        if last in shrinkable and widths[last] > max(floors[last], _ROOMY_LAST):
            widths[last] -= 1
            continue
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    lines = [_line(headers, widths), _GAP.join("-" * w for w in widths)]
    for row in cells:
        wrapped = [
            textwrap.wrap(cell, w, break_on_hyphens=False) or [""]
            for cell, w in zip(row, widths, strict=True)
        ]
        for n in range(max(len(parts) for parts in wrapped)):
            lines.append(_line([parts[n] if n < len(parts) else "" for parts in wrapped], widths))
    return "\n".join(lines)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return _GAP.join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()


def print_json(data: Any, stream: TextIO | None = None) -> None:
    """Write ``data`` as indented JSON followed by a newline."""
    out = stream if stream is not None else sys.stdout
    out.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
