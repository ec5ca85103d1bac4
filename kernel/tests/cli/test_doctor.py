"""``roomkit doctor``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

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


SLEEPY = """
import time
time.sleep(0.3)
"""

BUSY = """
import fake_heavy_vendor_sdk
"""


def test_waiting_is_not_slow_only_cpu_is(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    site_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (site_dir / "fake_heavy_vendor_sdk.py").write_text(
        "import time\nstart = time.process_time()\n"
        "while time.process_time() - start < 0.3:\n    pass\n"
    )
    make_plugin("sleepy", source("sleepy", header=SLEEPY))
    make_plugin("busy", source("busy", header=BUSY))
    main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert not any("'sleepy'" in w for w in report["warnings"])
    (busy,) = [w for w in report["warnings"] if "'busy'" in w]
    assert "ms of CPU" in busy
    assert "imported fake_heavy_vendor_sdk" in busy
    assert not any("busy" in p for p in report["problems"])


REFS = """
@hookimpl
def roomkit_register_tools(register):
    register(ComponentDescriptor(kind="tool_provider", name="gone", factory="fake_refs.gone:T"))
    register(ComponentDescriptor(kind="tool_provider", name="typo", factory="fake_refs.impl:Tx",
                                 config_model="fake_refs.impl:NotAModel"))
    register(ComponentDescriptor(kind="tool_provider", name="fine", factory="fake_refs.impl:T",
                                 config_model="fake_refs.impl:Config",
                                 conformance="fake_refs.missing_testing:make"))
"""

IMPL = """
from pydantic import BaseModel
class T: ...
class NotAModel: ...
class Config(BaseModel):
    x: int = 1
"""


def test_broken_references_are_problems(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("refs", source("refs", hooks=REFS), {"impl.py": IMPL})
    assert main(["doctor", "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert (
        "plugin 'refs': tool_provider 'gone' has a broken factory 'fake_refs.gone:T': "
        "no module named 'fake_refs.gone'"
    ) in problems
    assert any("'fine' has a broken conformance" in p for p in problems)
    assert not any("'typo'" in p for p in problems)  # the module exists: --deep looks closer
    assert main(["doctor", "--deep", "--json"]) == 1
    deep = json.loads(capsys.readouterr().out)["problems"]
    assert any("'typo' has a broken factory 'fake_refs.impl:Tx': AttributeError" in p for p in deep)
    assert any(
        "'typo' has a broken config_model 'fake_refs.impl:NotAModel': not a pydantic model" in p
        for p in deep
    )
    assert not any("'fine' has a broken factory" in p for p in deep)


def test_missing_llmock_is_a_warning(
    site_dir: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from roomkit_conformance import runner

    monkeypatch.setattr(
        runner,
        "missing_requirement",
        lambda target: runner.LLMOCK if target.label == "telemetry:noop" else None,
    )
    assert main(["--no-autoload", "doctor", "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    (warning,) = [w for w in warnings if "llmock" in w]
    assert 'pip install "./conformance[llm]"' in warning
    assert "cannot check builtin telemetry:noop" in warning
