"""``roomkit conformance``: runs suites in pytest subprocesses and reports per component."""

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
    register(ComponentDescriptor(kind="telemetry", name="{name}-nofactory",
                                 factory="fake_{name}.impl:T"))
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
    assert "[1/2] tgood: telemetry:tgood ..." in out
    row = next(
        line.split()
        for line in out.splitlines()
        if line.split()[:3] == ["tgood", "telemetry", "tgood"]
    )
    assert row[3] == "passed"
    assert int(row[4]) >= 8
    assert row[5] == "0"
    assert "no conformance factory declared" in out


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
    generated = sorted(p.name for p in keep.iterdir())
    assert generated == ["builtin_telemetry_console", "builtin_telemetry_noop"]
    assert (keep / "builtin_telemetry_noop" / "test_conformance.py").exists()
