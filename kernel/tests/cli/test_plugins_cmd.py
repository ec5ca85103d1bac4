"""``roomkit plugins list`` and ``roomkit plugins show``."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from roomkit.cli.main import main

HOOKS = """
@hookimpl
def roomkit_register_stores(register):
    register(ComponentDescriptor(kind="store", name="shown", factory="fake_shown.impl:Store",
                                 config_model="fake_shown.impl:Config",
                                 capabilities=frozenset({"cross_process"}),
                                 exports=("ShownStore",), description="A store to show"))
"""

IMPL = """
from pydantic import BaseModel
class Config(BaseModel):
    dsn: str
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
    shown = next(line for line in out.splitlines() if line.startswith("shown"))
    assert "roomkit-shown" in shown
    assert "store:shown" in shown
    assert " ok" in shown
    wreck = next(line for line in out.splitlines() if line.startswith("wreck"))
    assert "broken" in wreck
    assert "not_installed_sdk_xyz" in wreck


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
    assert '"dsn"' in out
    assert main(["plugins", "show", "shown", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    component = data["components"][0]
    assert component["config_schema"]["required"] == ["dsn"]
    assert component["capabilities"] == ["cross_process"]


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
