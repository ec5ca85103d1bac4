"""``roomkit doctor``."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from roomkit.cli.main import main

DUP = """
@hookimpl
def roomkit_register_stores(register):
    register(ComponentDescriptor(kind="store", name="memory", factory="x.y:Z"))
"""


def test_healthy_environment(site_dir: object, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--no-autoload", "doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["kernel_version"]
    assert report["plugin_api"] == "1.1"
    assert report["python"].startswith("3.")
    assert report["autoload"] is False
    assert [p["name"] for p in report["plugins"]] == ["builtin"]
    assert report["problems"] == []
    assert code == 0


def test_broken_plugin_is_a_problem(
    make_plugin: Callable[..., object], capsys: pytest.CaptureFixture[str]
) -> None:
    make_plugin("wreck", "import not_installed_sdk_xyz\n")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "problem: plugin 'wreck' is broken" in out


def test_duplicate_component_is_a_conflict(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("dup", source("dup", hooks=DUP))
    assert main(["doctor", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "store 'memory' is provided by several plugins: builtin, dup" in report["conflicts"]
    assert report["ok"] is False


def test_incompatible_plugin_is_a_problem(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("old", source("old", kernel_api="<1"))
    assert main(["doctor"]) == 1
    assert "incompatible" in capsys.readouterr().out


SLOW = """
import time
time.sleep(0.3)
"""


def test_slow_plugin_import_is_a_warning_not_a_problem(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("sluggish", source("sluggish", header=SLOW))
    main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert any("'sluggish'" in w and "vendor SDK" in w for w in report["warnings"])
    assert not any("sluggish" in p for p in report["problems"])
