"""``roomkit conformance``: runs suites in one pytest session and reports per component."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from roomkit.cli.main import main

HOOKS = """
@hookimpl
def roomkit_register_telemetry(register):
    register(ComponentDescriptor(kind="telemetry", name="{name}", factory="fake_{name}.impl:T",
                                 conformance="fake_{name}.impl:make"))
    register(ComponentDescriptor(kind="telemetry", name="{name}-exempt",
                                 factory="fake_{name}.impl:T", conformance_exempt="no reason"))
"""

GOOD = """
from roomkit.telemetry.base import NoopTelemetryProvider as T

async def make():
    yield T()
"""

BAD = """
from roomkit.telemetry.base import NoopTelemetryProvider

class T(NoopTelemetryProvider):
    def end_span(self, span_id, **kwargs):
        raise KeyError(span_id)

def make():
    return T()
"""


def test_passing_plugin(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("tgood", source("tgood", hooks=HOOKS.format(name="tgood")), {"impl.py": GOOD})
    assert main(["conformance", "tgood"]) == 0
    out = capsys.readouterr().out
    assert "[1/2] tgood: telemetry:tgood PASSED" in out
    row = next(
        line.split()
        for line in out.splitlines()
        if line.split()[:3] == ["tgood", "telemetry", "tgood"]
    )
    assert row[3] == "passed"
    assert int(row[4]) >= 8
    assert row[5] == "0"
    assert "exempt: no reason" in out


NO_FACTORY = """
@hookimpl
def roomkit_register_telemetry(register):
    register(ComponentDescriptor(kind="telemetry", name="bare", factory="fake_bare.impl:T"))

@hookimpl
def roomkit_register_orchestration(register):
    register(ComponentDescriptor(kind="router", name="bare", factory="fake_bare.impl:T",
                                 conformance="fake_bare.impl:T"))
"""


def test_no_factory_or_no_suite_fails(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("bare", source("bare", hooks=NO_FACTORY), {"impl.py": GOOD})
    assert main(["conformance", "bare"]) == 1
    out = capsys.readouterr().out
    assert "no conformance factory declared" in out
    assert "no conformance suite for kind 'router'" in out


def test_missing_llmock_is_said_once_up_front(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from roomkit_conformance import runner

    monkeypatch.setattr(runner, "missing_requirement", lambda target: runner.LLMOCK)
    assert main(["--no-autoload", "conformance", "builtin", "--kind", "telemetry"]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("llmock") == 1
    assert 'pip install "./conformance[llm]"' in captured.err
    assert "needed by: builtin telemetry:console, builtin telemetry:noop" in captured.err


def test_failing_plugin_exits_1_with_details(
    make_plugin: Callable[..., object],
    source: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_plugin("tbad", source("tbad", hooks=HOOKS.format(name="tbad")), {"impl.py": BAD})
    assert main(["conformance", "tbad", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    result = next(r for r in data["results"] if r["name"] == "tbad")
    assert result["status"] == "failed"
    assert result["failed"] >= 3
    assert any("KeyError" in f for f in result["failures"])
    assert data["ok"] is False


def test_unknown_plugin(site_dir: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "no-such-plugin"]) == 1
    assert "not installed" in capsys.readouterr().err


def test_kind_filter_and_keep(
    site_dir: object, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    keep = Path(str(tmp_path)) / "kept"
    code = main(
        [
            "--no-autoload",
            "conformance",
            "builtin",
            "--kind",
            "telemetry",
            "--keep",
            str(keep),
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert sorted(r["name"] for r in data["results"]) == ["console", "noop"]
    assert all(r["status"] == "passed" for r in data["results"])
    generated = sorted(p.name for p in keep.glob("test_*.py"))
    assert generated == [
        "test_001_builtin_telemetry_console.py",
        "test_002_builtin_telemetry_noop.py",
    ]
