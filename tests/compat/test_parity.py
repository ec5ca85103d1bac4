"""Parity with RoomKit 0.6.7: every fact of the committed snapshot holds here, or the reviewed
table (differences.toml) says why not — and the table holds nothing stale."""

from __future__ import annotations

import importlib

import pytest
from compat_parity import Report, Table, load_table, run_checks, signature_problems

ISSUES = {8, 10, 11, 12, 13, 14}
KINDS = {"bug in 0.6.7", "better design"}


@pytest.fixture(scope="module")
def report() -> Report:
    return run_checks()


@pytest.fixture(scope="module")
def table() -> Table:
    return load_table()


def test_every_failing_check_is_explained(report: Report, table: Table) -> None:
    unexplained = [
        f"{c.id}: {c.problem}"
        for c in report.failing()
        if not c.covered_by and c.id not in table.differences and c.id not in table.pending
    ]
    assert not unexplained, (
        "RoomKit 0.6.7 surface missing or incompatible here, and not listed in "
        "tests/compat/differences.toml (fix it, or list it as pending on its issue or as a "
        "deliberate difference with its reason):\n  " + "\n  ".join(unexplained)
    )


def test_table_has_nothing_stale(report: Report, table: Table) -> None:
    by_id = {c.id: c for c in report.checks}
    problems = []
    for check_id in [*table.differences, *table.pending]:
        check = by_id.get(check_id)
        if check is None:
            problems.append(f"{check_id}: not a check of the snapshot (typo?)")
        elif check.ok:
            problems.append(f"{check_id}: now passes; remove it from the table")
        elif check.covered_by:
            problems.append(f"{check_id}: already covered by the entry for {check.covered_by}")
    assert not problems, "tests/compat/differences.toml is stale:\n  " + "\n  ".join(problems)


def test_table_entries_are_well_formed(table: Table) -> None:
    for group in table.groups:
        assert group["issue"] in ISSUES, group["about"]
        assert group["about"].strip()
        assert group["ids"] == sorted(group["ids"]), f"keep ids sorted in {group['about']!r}"
    for check_id, entry in table.differences.items():
        assert entry["kind"] in KINDS, check_id
        assert len(entry["reason"]) > 40, check_id
    for note in table.notes:
        assert note["kind"] in KINDS, note["about"]
        assert len(note["reason"]) > 40, note["about"]


def test_pending_exports_exist_where_the_table_says(table: Table) -> None:
    for name, module_name in table.built_in.items():
        assert name in table.pending, f"{name} is in built_in but not pending"
        module = importlib.import_module(module_name)
        assert hasattr(module, name), f"{name} is not in {module_name}"


def test_snapshot_covers_the_classes_the_brief_names(report: Report) -> None:
    ids = {c.id for c in report.checks}
    for name in (
        "RoomKit.process_inbound",
        "ConversationStore.add_event",
        "InMemoryStore.add_event",
        "RoomContext.room",
        "HookEngine.register",
        "AIChannel.on_event",
        "Agent.role",
        "HandoffHandler.handle",
        "ConversationRouter.select_agent",
        "SkillRegistry.discover",
        "roomkit.core.circuit_breaker:CircuitBreaker.is_open",
        "HookTrigger.ON_HANDOFF",
        "Room.metadata",
        "roomkit.voice.pipeline:VADConfig",
        "roomkit.sources:WebSocketSource",
    ):
        assert name in ids, name


@pytest.mark.parametrize(
    ("theirs", "ours", "expected"),
    [
        ([("a", "POSITIONAL_OR_KEYWORD", None)], [("a", "POSITIONAL_OR_KEYWORD", None)], []),
        (
            [("a", "POSITIONAL_OR_KEYWORD", None)],
            [("b", "POSITIONAL_OR_KEYWORD", None)],
            ["no keyword 'a'", "positional argument 1 is 'b', not 'a'", "requires 'b'"],
        ),
        ([("a", "KEYWORD_ONLY", "1")], [("kw", "VAR_KEYWORD", None)], []),
        ([("a", "POSITIONAL_OR_KEYWORD", "1")], [("a", "KEYWORD_ONLY", "1")], ["positional"]),
        ([], [("a", "KEYWORD_ONLY", None)], ["requires 'a', which 0.6.7 does not"]),
        ([("a", "POSITIONAL_OR_KEYWORD", None)], [("a", "POSITIONAL_OR_KEYWORD", "1")], []),
        ([("args", "VAR_POSITIONAL", None)], [], ["no *args"]),
    ],
)
def test_signature_rules(
    theirs: list[tuple[str, str, str | None]],
    ours: list[tuple[str, str, str | None]],
    expected: list[str],
) -> None:
    def params(spec: list[tuple[str, str, str | None]]) -> list[dict[str, str]]:
        out = []
        for name, kind, default in spec:
            entry = {"name": name, "kind": kind}
            if default is not None:
                entry["default"] = default
            out.append(entry)
        return out

    problems = signature_problems(params(theirs), params(ours))
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem
