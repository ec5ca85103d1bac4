"""Table and JSON rendering."""

from __future__ import annotations

import io
import json

from roomkit.cli.output import print_json, render_table


def test_columns_fit_the_width_and_wrap_instead_of_cutting() -> None:
    table = render_table(["A", "LONG"], [["x" * 40, "yy " * 30], ["short", "z"]], width=60)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert table.count("x") == 40
    assert table.count("yy") == 30
    assert lines[-1].startswith("short")


def test_a_wide_terminal_keeps_rows_on_one_line() -> None:
    table = render_table(["A", "B"], [["a" * 70, "b" * 70]], width=200)
    assert len(table.splitlines()) == 3


def test_whitespace_in_cells_is_collapsed() -> None:
    table = render_table(["E"], [["line one\nline two"]], width=80)
    assert table.splitlines()[2] == "line one line two"


def test_print_json_is_sorted_and_handles_objects() -> None:
    out = io.StringIO()
    print_json({"b": 1, "a": {1, 2} and object()}, stream=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["a", "b"]
