"""Table and JSON rendering."""

from __future__ import annotations

import io
import json

from roomkit.cli.output import print_json, render_table


def test_columns_align_and_long_cells_are_cut_except_the_last() -> None:
    table = render_table(["A", "LONG"], [["x" * 80, "y" * 80], ["short", "z"]], max_width=10)
    lines = table.splitlines()
    assert lines[0].startswith("A           LONG")
    assert lines[2].startswith("xxxxxxxxx…  " + "y" * 80)
    assert lines[3].startswith("short       z")
    assert set(lines[1].replace(" ", "")) == {"-"}


def test_whitespace_in_cells_is_collapsed() -> None:
    table = render_table(["E"], [["line one\nline two"]])
    assert table.splitlines()[2] == "line one line two"


def test_print_json_is_sorted_and_handles_objects() -> None:
    out = io.StringIO()
    print_json({"b": 1, "a": {1, 2} and object()}, stream=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["a", "b"]
