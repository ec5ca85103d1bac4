"""Plain-text tables and JSON output shared by the CLI commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["print_json", "render_table"]


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, max_width: int = 60
) -> str:
    """Left-aligned columns separated by two spaces.

    Cells longer than ``max_width`` are cut, except in the last column (errors, details).
    """
    last = len(headers) - 1
    cut = [
        [_cut(str(cell), max_width if i < last else 10_000) for i, cell in enumerate(row)]
        for row in rows
    ]
    widths = [len(h) for h in headers]
    for row in cut:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cut
    )
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_json(data: Any, stream: TextIO | None = None) -> None:
    """Write ``data`` as indented JSON followed by a newline."""
    out = stream if stream is not None else sys.stdout
    out.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
