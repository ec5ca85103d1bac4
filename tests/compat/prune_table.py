"""Remove from differences.toml the pending ids whose check now passes (or is covered by its
name's entry), so building a 0.6.7 name needs no hand edit of the table:

    .venv/bin/python tests/compat/prune_table.py
    .venv/bin/python tests/compat/render_compat_doc.py

Only ``[[pending]]`` ids and their ``[pending.built_in]`` lines are touched; deliberate
differences stay as reviewed. A group left with no ids is removed with its header lines.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compat_parity import load_table, run_checks  # noqa: E402

TABLE = HERE / "differences.toml"


def prune(text: str, done: set[str]) -> str:
    blocks = re.split(r"(?m)^(?=\[\[)", text)
    kept: list[str] = []
    for block in blocks:
        if not block.startswith("[[pending]]"):
            kept.append(block)
            continue
        lines = [line for line in block.splitlines(keepends=True) if not _names_done(line, done)]
        body = "".join(lines)
        if re.search(r"ids = \[\s*\]", body):
            continue
        kept.append(body)
    return "".join(kept)


def _names_done(line: str, done: set[str]) -> bool:
    item = re.fullmatch(r'\s+"(?P<id>[^"]+)",\s*', line)
    if item:
        return item["id"] in done
    built = re.fullmatch(r"(?P<id>[A-Za-z_][\w]*) = \"[^\"]*\"\s*", line)
    return bool(built) and built["id"] in done


def main() -> None:
    report = run_checks()
    table = load_table()
    listed = {*table.pending, *table.differences}
    # A covered id goes only when the name covering it is itself listed: when a whole class
    # stops resolving (say an import broke) its members stay, and the parity test says why.
    done = {c.id for c in report.checks if c.ok or (c.covered_by and c.covered_by in listed)}
    before = TABLE.read_text(encoding="utf-8")
    after = prune(before, done)
    TABLE.write_text(after, encoding="utf-8")
    print(f"removed {before.count(chr(10)) - after.count(chr(10))} lines")


if __name__ == "__main__":
    main()
