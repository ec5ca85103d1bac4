"""docs/compat.md is generated from the table and the checks, and kept in step with them."""

from __future__ import annotations

from compat_parity import load_snapshot, load_table, run_checks
from render_compat_doc import DOC, render


def test_compat_page_is_up_to_date() -> None:
    expected = render(run_checks(), load_table(), load_snapshot())
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/compat.md is out of date: run .venv/bin/python tests/compat/render_compat_doc.py"
    )


def test_page_lists_every_table_entry() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = load_table()
    for check_id in [*table.differences, *table.pending]:
        assert f"`{check_id}`" in text, check_id
    for note in table.notes:
        assert note["about"] in text
