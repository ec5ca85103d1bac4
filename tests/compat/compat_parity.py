"""Compare the committed RoomKit 0.6.7 snapshot with the installed ``roomkit``.

Every fact of the snapshot becomes one *check* with a stable id:

- ``Name`` / ``module:Name``: the name resolves (plugins installed in this environment count);
- ``Name()``: its signature is compatible (a call valid against 0.6.7 is valid against ours);
- ``Name.member``: a public member exists (enum members with the same value) and is of a
  compatible kind (a coroutine stays a coroutine, a property stays a data attribute);
- ``Name.member()``: the member's signature is compatible.

Checks that fail must be explained in ``differences.toml``: either a deliberate difference
(with its reason) or an entry pending on an open issue. A listed entry whose check now passes
is stale, and so is an id the snapshot does not have.
"""

from __future__ import annotations

import importlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compat_surface import describe_name, instance_attributes

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "roomkit_067_surface.json"
TABLE = HERE / "differences.toml"

__all__ = ["Check", "Report", "Table", "load_table", "run_checks", "signature_problems"]

_SYNC = {"method", "staticmethod", "classmethod"}
_ASYNC = {"async method"}
_DATA = {"property", "field", "attribute", "instance attribute", "enum member"}


@dataclass(frozen=True)
class Check:
    """One fact of the snapshot compared with ours."""

    id: str
    kind: str  # "name", "signature", "member", "member signature"
    ok: bool
    problem: str = ""
    covered_by: str = ""  # id of a failed parent check that explains this one


@dataclass
class Table:
    """The reviewed table: deliberate differences and pending entries."""

    differences: dict[str, dict[str, str]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    built_in: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    """All checks of one run, with the counts the compatibility page shows."""

    checks: list[Check]

    def count(self, kind: str) -> tuple[int, int]:
        """(passing, total) of one kind of check."""
        of_kind = [c for c in self.checks if c.kind == kind]
        return sum(c.ok for c in of_kind), len(of_kind)

    def failing(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def load_table(path: Path = TABLE) -> Table:
    """Parse ``differences.toml``; an id listed twice is an error."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    table = Table(notes=list(raw.get("note", [])))
    for entry in raw.get("difference", []):
        for check_id in entry["ids"]:
            if check_id in table.differences or check_id in table.pending:
                raise ValueError(f"{check_id!r} is listed twice in {path.name}")
            table.differences[check_id] = {"kind": entry["kind"], "reason": entry["reason"]}
    for group in raw.get("pending", []):
        table.groups.append(group)
        for check_id in group["ids"]:
            if check_id in table.differences or check_id in table.pending:
                raise ValueError(f"{check_id!r} is listed twice in {path.name}")
            table.pending[check_id] = group
        table.built_in.update(group.get("built_in", {}))
    return table


def load_snapshot(path: Path = SNAPSHOT) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _positional(params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in params if p["kind"] in {"POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD"}]


def signature_problems(theirs: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[str]:
    """Why a call valid against ``theirs`` could fail against ``ours`` (empty: compatible).

    Same required parameters, every keyword of theirs accepted, positional order kept,
    ``*args`` / ``**kwargs`` kept.
    """
    problems: list[str] = []
    ours_kinds = {p["kind"] for p in ours}
    ours_by_name = {p["name"]: p for p in ours}
    has_var_kw = "VAR_KEYWORD" in ours_kinds
    has_var_pos = "VAR_POSITIONAL" in ours_kinds
    keywordable = {"POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY"}
    for p in theirs:
        if p["kind"] == "VAR_POSITIONAL" and not has_var_pos:
            problems.append(f"no *{p['name']}")
        elif p["kind"] == "VAR_KEYWORD" and not has_var_kw:
            problems.append(f"no **{p['name']}")
        elif p["kind"] in keywordable:
            mine = ours_by_name.get(p["name"])
            if (mine is None or mine["kind"] not in keywordable) and not has_var_kw:
                problems.append(f"no keyword {p['name']!r}")
    ours_pos = _positional(ours)
    for index, p in enumerate(_positional(theirs)):
        if index >= len(ours_pos):
            if not has_var_pos:
                problems.append(f"takes no positional argument {index + 1} ({p['name']!r})")
        elif p["kind"] == "POSITIONAL_OR_KEYWORD" and ours_pos[index]["name"] != p["name"]:
            problems.append(
                f"positional argument {index + 1} is {ours_pos[index]['name']!r}, not {p['name']!r}"
            )
    theirs_required = {p["name"] for p in theirs if _required(p)}
    for p in ours:
        if _required(p) and p["name"] not in theirs_required and p["kind"] != "POSITIONAL_ONLY":
            problems.append(f"requires {p['name']!r}, which 0.6.7 does not")
    return problems


def _required(p: dict[str, Any]) -> bool:
    return "default" not in p and p["kind"] not in {"VAR_POSITIONAL", "VAR_KEYWORD"}


def _family(kind: str) -> str:
    if kind in _SYNC:
        return "a method"
    if kind in _ASYNC:
        return "a coroutine method"
    return "a data attribute"


def _resolve(module_name: str, name: str) -> tuple[Any, str]:
    try:
        module = importlib.import_module(module_name)
        return getattr(module, name), ""
    except Exception as exc:  # a missing plugin raises ImportError, a missing name others
        return None, f"{type(exc).__name__}: {exc}"


def _class_checks(
    prefix: str, theirs: dict[str, Any], obj: Any, ours: dict[str, Any], module_name: str
) -> list[Check]:
    checks: list[Check] = []
    ours_members: dict[str, Any] = dict(ours.get("members", {}))
    probe = theirs.get("probe")
    probe_error = ""
    if probe:
        try:
            module = importlib.import_module(module_name)
            for attr in instance_attributes(module, probe):
                ours_members.setdefault(attr, {"kind": "instance attribute"})
        except Exception as exc:
            probe_error = f"{probe} failed here: {type(exc).__name__}: {exc}"
    for member, spec in theirs.get("members", {}).items():
        check_id = f"{prefix}.{member}"
        mine = ours_members.get(member)
        if mine is None and spec["kind"] != "enum member" and hasattr(obj, member):
            mine = {"kind": "attribute"}
        if mine is None:
            problem = "missing"
            if spec["kind"] == "instance attribute" and probe_error:
                problem = probe_error
            checks.append(Check(check_id, "member", False, problem))
            if "params" in spec:
                checks.append(
                    Check(check_id + "()", "member signature", False, covered_by=check_id)
                )
            continue
        if spec["kind"] == "enum member" and mine.get("value") != spec["value"]:
            checks.append(
                Check(check_id, "member", False, f"value {mine.get('value')} != {spec['value']}")
            )
            continue
        theirs_family, ours_family = _family(spec["kind"]), _family(mine["kind"])
        if theirs_family != ours_family and mine["kind"] not in {"attribute"}:
            checks.append(
                Check(check_id, "member", False, f"is {ours_family} here, {theirs_family} in 0.6.7")
            )
        else:
            checks.append(Check(check_id, "member", True))
        if "params" in spec:
            if "params" not in mine:
                checks.append(Check(check_id + "()", "member signature", True))
                continue
            problems = signature_problems(spec["params"], mine["params"])
            checks.append(
                Check(check_id + "()", "member signature", not problems, "; ".join(problems))
            )
    return checks


def _name_checks(prefix: str, module_name: str, name: str, theirs: dict[str, Any]) -> list[Check]:
    obj, error = _resolve(module_name, name)
    if error:
        checks = [Check(prefix, "name", False, error)]
        if "params" in theirs:
            checks.append(Check(prefix + "()", "signature", False, covered_by=prefix))
        for member, spec in theirs.get("members", {}).items():
            checks.append(Check(f"{prefix}.{member}", "member", False, covered_by=prefix))
            if "params" in spec:
                checks.append(
                    Check(f"{prefix}.{member}()", "member signature", False, covered_by=prefix)
                )
        return checks
    ours = describe_name(obj)
    checks = [Check(prefix, "name", True)]
    if "params" in theirs:
        if "params" in ours:
            problems = signature_problems(theirs["params"], ours["params"])
            checks.append(Check(prefix + "()", "signature", not problems, "; ".join(problems)))
        else:
            checks.append(Check(prefix + "()", "signature", True))
    checks.extend(_class_checks(prefix, theirs, obj, ours, module_name))
    return checks


def run_checks(snapshot: dict[str, Any] | None = None) -> Report:
    """Every check of the snapshot against the installed ``roomkit``."""
    data = snapshot if snapshot is not None else load_snapshot()
    checks: list[Check] = []
    for name, spec in data["names"].items():
        checks.extend(_name_checks(name, "roomkit", name, spec))
    for module_name, names in data["subpackages"].items():
        for name, spec in names.items():
            checks.extend(_name_checks(f"{module_name}:{name}", module_name, name, spec))
    for qualified, spec in data["extra"].items():
        module_name, name = qualified.split(":")
        checks.extend(_name_checks(qualified, module_name, name, spec))
    return Report(checks)
