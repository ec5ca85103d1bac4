"""The pytest plugin of the conformance suite (registered under the ``pytest11`` entry point).

It adds:

* the ``roomkit_conformance`` marker, applied to every test collected from a suite class;
* ``--roomkit-strict-services``: a test whose real service (PostgreSQL, Redis ...) is
  unreachable fails instead of skipping (also on when ``CI=true``), see
  :func:`roomkit_conformance.services.service_unavailable`;
* ``--roomkit-report=PATH``: streams JSON lines to PATH as the session goes (the collected
  test ids, each collection error, each test's final outcome), read by ``roomkit
  conformance`` to report each component as soon as its tests are done;
* a header line with the kernel and plugin-API versions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from roomkit_conformance.base import SuiteBase
from roomkit_conformance.services import STRICT_SERVICES_OPTION

__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_report_header",
]

_REPORT_KEY = pytest.StashKey["_Report"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the plugin's command-line options."""
    group = parser.getgroup("roomkit", "RoomKit conformance")
    group.addoption(
        f"--{STRICT_SERVICES_OPTION.replace('_', '-')}",
        action="store_true",
        dest=STRICT_SERVICES_OPTION,
        default=False,
        help="fail (instead of skip) tests whose real service is unreachable; on under CI=true",
    )
    group.addoption(
        "--roomkit-report",
        dest="roomkit_report",
        default=None,
        metavar="PATH",
        help="write a JSON report of every test outcome to PATH",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and, if asked, the JSON reporter."""
    config.addinivalue_line(
        "markers", "roomkit_conformance: a test inherited from a RoomKit conformance suite"
    )
    path = config.getoption("roomkit_report", default=None)
    if path:
        reporter = _Report(Path(path))
        config.stash[_REPORT_KEY] = reporter
        config.pluginmanager.register(reporter, "roomkit-conformance-report")


def pytest_report_header(config: pytest.Config) -> str:
    """Show which kernel the suite runs against."""
    import roomkit
    from roomkit.plugins.api import PLUGIN_API_VERSION

    return f"roomkit-kernel {roomkit.__version__}, plugin API {PLUGIN_API_VERSION}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that come from a conformance suite."""
    for item in items:
        cls = getattr(item, "cls", None)
        if cls is not None and issubclass(cls, SuiteBase):
            item.add_marker(pytest.mark.roomkit_conformance)


class _Report:
    """Writes one JSON line per event, flushed at once so a reader can follow the session."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stream = path.open("a", encoding="utf-8")
        self._tests: dict[str, dict[str, str]] = {}

    def _write(self, event: dict[str, Any]) -> None:
        self._stream.write(json.dumps(event) + "\n")
        self._stream.flush()

    @pytest.hookimpl
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self._write(
                {"event": "collect_error", "nodeid": report.nodeid, "message": _short(report)}
            )

    @pytest.hookimpl
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._write({"event": "collected", "nodeids": [item.nodeid for item in session.items]})

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self._tests.setdefault(report.nodeid, {"outcome": "passed", "message": ""})
        if report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["message"] = _short(report)
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"
            entry["message"] = _short(report)
        if report.when == "teardown":
            self._write({"event": "test", "nodeid": report.nodeid, **entry})
            del self._tests[report.nodeid]

    @pytest.hookimpl
    def pytest_unconfigure(self) -> None:
        self._stream.close()


def _short(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # skip: (file, line, reason)
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).splitlines()[0][:500]
    return str(longrepr).strip().splitlines()[-1][:500] if longrepr else ""
