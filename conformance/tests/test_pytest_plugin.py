"""The pytest11 plugin: marker, options, report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SUITE_USER = """
import pytest
from roomkit.telemetry.base import NoopTelemetryProvider
from roomkit_conformance.suites.telemetry import TelemetryProviderSuite

class TestNoop(TelemetryProviderSuite):
    @pytest.fixture
    def component(self):
        return NoopTelemetryProvider()

def test_plain():
    assert True
"""


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(SUITE_USER)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(tmp_path),
            "-c",
            str(tmp_path / "pytest.ini"),
            "-p",
            "no:cacheprovider",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


def test_marker_selects_suite_tests(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "-m", "roomkit_conformance", "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 deselected" in result.stdout


def test_report_and_header(tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    result = _pytest(tmp_path, f"--roomkit-report={report}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "roomkit-kernel" in result.stdout
    assert "plugin API" in result.stdout
    events = [json.loads(line) for line in report.read_text().splitlines()]
    collected = events[0]
    assert collected["event"] == "collected"
    tests = [e for e in events if e["event"] == "test"]
    assert sorted(e["nodeid"] for e in tests) == sorted(collected["nodeids"])
    outcomes = {e["nodeid"].split("::")[-1]: e["outcome"] for e in tests}
    assert outcomes["test_plain"] == "passed"
    assert outcomes["test_span_ids_are_unique_and_non_empty"] == "skipped"
    assert not [e for e in events if e["event"] == "collect_error"]


def test_report_names_collection_errors(tmp_path: Path) -> None:
    (tmp_path / "test_broken.py").write_text("import no_such_module_for_this_test\n")
    report = tmp_path / "report.jsonl"
    _pytest(tmp_path, f"--roomkit-report={report}", "--continue-on-collection-errors")
    events = [json.loads(line) for line in report.read_text().splitlines()]
    (error,) = [e for e in events if e["event"] == "collect_error"]
    assert error["nodeid"] == "test_broken.py"
    assert "no_such_module_for_this_test" in error["message"]


def test_strict_services_option_is_registered(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "--roomkit-strict-services", "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("ci", ["true", ""])
def test_service_unavailable_skips_or_fails(tmp_path: Path, ci: str) -> None:
    (tmp_path / "test_svc.py").write_text(
        "from roomkit_conformance.services import port_open, service_unavailable\n"
        "def test_needs_service():\n"
        "    if not port_open('127.0.0.1', 1, timeout=0.2):\n"
        "        service_unavailable('nothing listens on port 1')\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(tmp_path / "test_svc.py"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            "/dev/null",
            "--rootdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**__import__("os").environ, "CI": ci},
    )
    if ci:
        assert result.returncode == 1
        assert "required service unavailable" in result.stdout
    else:
        assert result.returncode == 0
        assert "1 skipped" in result.stdout
