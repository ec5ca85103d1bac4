"""``roomkit plugins list`` and ``roomkit plugins show``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from roomkit.cli.main import main


def table_rows(text: str) -> list[list[str]]:
    """The rows of a rendered table, wrapped cells joined back (with a space per line)."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line.replace(" ", "")) == {"-"})
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    spans[-1] = (spans[-1][0], 10_000)
    rows: list[list[list[str]]] = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        cells = [line[a:b].strip() for a, b in spans]
        if cells[0] or not rows:
            rows.append([[c] if c else [] for c in cells])
        else:
            for parts, cell in zip(rows[-1], cells, strict=True):
                if cell:
                    parts.append(cell)
    return [[" ".join(parts) for parts in row] for row in rows]


HOOKS = """
@hookimpl
def roomkit_register_stores(register):
    register(ComponentDescriptor(kind="store", name="shown", factory="fake_shown.impl:Store",
                                 config_model="fake_shown.impl:Config",
                                 capabilities=frozenset({"cross_process"}),
                                 exports=("ShownStore",), description="A store to show"))
"""

IMPL = """
from pydantic import BaseModel, Field, SecretStr
class Config(BaseModel):
    dsn: str
    #: Seconds a query may take; see :class:`~fake_shown.impl.Store` and ``pool``.
    timeout: float = 5.0
    pool: int | None = Field(default=None, description="**Connections** kept open")
    password: SecretStr = SecretStr("hunter2")
class Store:
    pass
"""


def test_list_table(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("shown", source("shown", hooks=HOOKS), {"impl.py": IMPL})
    make_plugin("wreck", "import not_installed_sdk_xyz\n")
    assert main(["plugins", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == [
        "NAME",
        "DISTRIBUTION",
        "VERSION",
        "API",
        "COMPONENTS",
        "STATUS",
        "ERROR",
    ]
    rows = {row[0]: row for row in table_rows(out)}
    assert rows["shown"][1:] == ["roomkit-shown", "0.1.0", ">=1,<2", "store:shown", "ok", ""]
    assert rows["wreck"][5] == "broken"
    assert "not_installed_sdk_xyz" in rows["wreck"][6].replace(" ", "")


def test_list_json(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("shown", source("shown", hooks=HOOKS), {"impl.py": IMPL})
    assert main(["plugins", "list", "--json"]) == 0
    plugins = {p["name"]: p for p in json.loads(capsys.readouterr().out)["plugins"]}
    assert plugins["shown"]["components"] == ["store:shown"]
    assert plugins["shown"]["kernel_api"] == ">=1,<2"
    assert plugins["shown"]["distribution"] == "roomkit-shown"
    assert plugins["builtin"]["status"] == "ok"
    assert set(plugins["shown"]) >= {
        "name",
        "distribution",
        "version",
        "kernel_api",
        "components",
        "status",
        "error",
    }


def test_block_option(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("shown", source("shown", hooks=HOOKS), {"impl.py": IMPL})
    assert main(["--block", "shown", "plugins", "list", "--json"]) == 0
    plugins = {p["name"]: p for p in json.loads(capsys.readouterr().out)["plugins"]}
    assert plugins["shown"]["status"] == "blocked"


def test_show(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("shown", source("shown", hooks=HOOKS), {"impl.py": IMPL})
    assert main(["plugins", "show", "shown"]) == 0
    out = capsys.readouterr().out
    assert "store 'shown'" in out
    assert "cross_process" in out
    assert "ShownStore" in out
    config = out[out.index("    config:") :]
    assert config.split()[1:5] == ["FIELD", "TYPE", "DEFAULT", "DESCRIPTION"]
    rows = table_rows(config)
    assert ["dsn", "str", "required", ""] in rows
    assert [
        "timeout",
        "float",
        "5.0",
        "Seconds a query may take; see Store and pool.",
    ] in rows
    assert ["pool", "int | None", "None", "Connections kept open"] in rows
    assert ["password", "SecretStr", "(secret)", ""] in rows
    assert "hunter2" not in out
    assert '"properties"' not in out  # the JSON schema only with --json
    assert main(["plugins", "show", "shown", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    component = data["components"][0]
    assert component["config_schema"]["required"] == ["dsn"]
    assert component["capabilities"] == ["cross_process"]
    assert component["config_fields"][0] == {
        "name": "dsn",
        "type": "str",
        "default": "required",
        "description": "",
    }


LONG = """
@hookimpl
def roomkit_register_tools(register):
    for n in range(12):
        register(ComponentDescriptor(kind="tool_provider", name=f"tool-number-{n}",
                                     factory="fake_wide.impl:T"))
"""


@pytest.mark.parametrize("columns", [80, 200])
def test_list_uses_the_terminal_width_and_cuts_nothing(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    columns: int,
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    make_plugin("wide", source("wide", hooks=LONG))
    assert main(["plugins", "list"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= columns
    assert "…" not in out
    wide = next(row for row in table_rows(out) if row[0] == "wide")
    components = wide[4].replace(" ", "")
    for n in range(12):
        assert f"tool_provider:tool-number-{n}," in components + ","


def test_show_unknown_or_broken(
    make_plugin: Callable[..., object], capsys: pytest.CaptureFixture[str]
) -> None:
    make_plugin("wreck", "import not_installed_sdk_xyz\n")
    assert main(["plugins", "show", "nope"]) == 1
    assert "not installed" in capsys.readouterr().err
    assert main(["plugins", "show", "wreck"]) == 1
    assert "broken" in capsys.readouterr().out


def test_strict_flag_fails_on_problems(
    make_plugin: Callable[..., object], capsys: pytest.CaptureFixture[str]
) -> None:
    make_plugin("wreck", "import not_installed_sdk_xyz\n")
    assert main(["--strict", "plugins", "list"]) == 1
    assert "strict mode" in capsys.readouterr().err
