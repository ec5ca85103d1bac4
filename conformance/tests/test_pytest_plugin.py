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
    report = tmp_path / "report.json"
    result = _pytest(tmp_path, f"--roomkit-report={report}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "roomkit-kernel" in result.stdout
    assert "plugin API" in result.stdout
    data = json.loads(report.read_text())
    outcomes = {t["name"]: t["outcome"] for t in data["tests"]}
    assert outcomes["test_plain"] == "passed"
    assert outcomes["test_span_ids_are_unique_and_non_empty"] == "skipped"
    assert data["collection_errors"] == []


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
