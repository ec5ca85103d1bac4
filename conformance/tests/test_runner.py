"""The runner: target selection from the catalogue, module generation, outcomes."""

from __future__ import annotations

import ast
from pathlib import Path

from roomkit.plugins.catalogue import Catalogue
from roomkit_conformance.runner import Target, render_module, run_target, select_targets


def test_builtin_targets_come_from_descriptors() -> None:
    targets = select_targets(Catalogue.load(autoload=False), ["builtin"])
    labels = {t.label for t in targets}
    assert {"store:memory", "telemetry:noop", "channel:websocket"} <= labels
    noop = next(t for t in targets if t.label == "telemetry:noop")
    assert noop.factory == "roomkit_conformance.builtins:noop_telemetry"
    assert noop.suite == "roomkit_conformance.suites.telemetry:TelemetryProviderSuite"
    assert noop.skip_reason is None


def test_generated_module_is_valid_python() -> None:
    target = Target("p", "telemetry", "n-1", "a.b:c", "x.y:Suite", frozenset({"records"}))
    source = render_module(target)
    ast.parse(source)
    assert "class Test_p_telemetry_n_1(_Suite):" in source
    assert "frozenset(['records'])" in source


def test_targets_without_factory_or_suite_are_skipped(tmp_path: Path) -> None:
    no_factory = Target("p", "telemetry", "n", None, "x:Y")
    no_suite = Target("p", "router", "n", "a:b", None)
    assert run_target(no_factory, workdir=tmp_path).status == "skipped"
    result = run_target(no_suite, workdir=tmp_path)
    assert result.status == "skipped"
    assert "no conformance suite" in result.detail


def test_factory_that_cannot_be_imported_is_an_error(tmp_path: Path) -> None:
    target = Target(
        "p",
        "telemetry",
        "n",
        "no_such_module_here:make",
        "roomkit_conformance.suites.telemetry:TelemetryProviderSuite",
    )
    result = run_target(target, workdir=tmp_path)
    assert result.status == "error"
    assert result.errors > 0
    assert result.passed == 0


def test_noop_passes_through_the_runner(tmp_path: Path) -> None:
    target = next(
        t
        for t in select_targets(Catalogue.load(autoload=False), ["builtin"])
        if t.label == "telemetry:noop"
    )
    result = run_target(target, workdir=tmp_path)
    assert result.status == "passed", result.failures
    assert result.failed == 0
    assert result.passed >= 8
    assert result.skipped >= 1  # "records" tests: noop claims nothing


FIXTURES_CLASS = '''
import pytest
from roomkit.telemetry.base import NoopTelemetryProvider


class Fixtures:
    """A fixtures class, as a plugin's own test class would provide them."""

    built = []

    @pytest.fixture
    def component(self):
        self.built.append("x")
        return NoopTelemetryProvider()
'''


def test_a_fixtures_class_is_inherited(tmp_path: Path) -> None:
    (tmp_path / "fixtures_mod.py").write_text(FIXTURES_CLASS)
    target = Target(
        "p",
        "telemetry",
        "cls",
        "fixtures_mod:Fixtures",
        "roomkit_conformance.suites.telemetry:TelemetryProviderSuite",
    )
    result = run_target(target, workdir=tmp_path / "w", extra_pythonpath=[str(tmp_path)])
    assert result.status == "passed", result.failures
    assert result.passed >= 8
