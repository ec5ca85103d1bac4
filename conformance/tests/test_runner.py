"""The runner: target selection from the catalogue, module generation, outcomes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from roomkit.plugins.catalogue import Catalogue
from roomkit_conformance.runner import (
    Target,
    render_module,
    run_target,
    run_targets,
    select_targets,
)


def test_builtin_targets_come_from_descriptors() -> None:
    targets = select_targets(Catalogue.load(autoload=False), ["builtin"])
    labels = {t.label for t in targets}
    assert {"store:memory", "telemetry:noop", "channel:websocket"} <= labels
    noop = next(t for t in targets if t.label == "telemetry:noop")
    assert noop.factory == "roomkit_conformance.builtins:noop_telemetry"
    assert noop.suite == "roomkit_conformance.suites.telemetry:TelemetryProviderSuite"
    assert noop.problem is None


def test_generated_module_is_valid_python() -> None:
    target = Target("p", "telemetry", "n-1", "a.b:c", "x.y:Suite", frozenset({"records"}))
    source = render_module(target)
    ast.parse(source)
    assert "class Test_p_telemetry_n_1(_Suite):" in source
    assert "frozenset(['records'])" in source


def test_targets_without_factory_or_suite_fail(tmp_path: Path) -> None:
    no_factory = Target("p", "telemetry", "n", None, "x:Y")
    no_suite = Target("p", "router", "n", "a:b", None)
    exempt = Target("p", "telemetry", "e", None, "x:Y", exempt="needs a vendor account")
    results = run_targets([no_factory, no_suite, exempt], keep=tmp_path)
    assert [r.status for r in results] == ["error", "error", "exempt"]
    assert "no conformance factory" in results[0].detail
    assert "no conformance suite for kind 'router'" in results[1].detail
    assert "needs a vendor account" in results[2].detail
    assert [r.ok for r in results] == [False, False, True]


ALL_SKIPPED = """
import pytest


class Fixtures:
    @pytest.fixture
    def component(self):
        pytest.skip("nothing to test here")
"""


def test_a_component_whose_tests_all_skip_fails(tmp_path: Path) -> None:
    (tmp_path / "skipping_mod.py").write_text(ALL_SKIPPED)
    target = Target(
        "p",
        "telemetry",
        "skips",
        "skipping_mod:Fixtures",
        "roomkit_conformance.suites.telemetry:TelemetryProviderSuite",
    )
    result = run_target(target, workdir=tmp_path / "w", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    assert result.passed == 0
    assert result.detail == "no test ran (every test was skipped)"


def test_components_share_one_session_and_stay_isolated(tmp_path: Path) -> None:
    """A broken component and a good one in the same run: each gets its own result."""
    good = next(
        t
        for t in select_targets(Catalogue.load(autoload=False), ["builtin"])
        if t.label == "telemetry:noop"
    )
    broken = Target(
        "p",
        "telemetry",
        "broken",
        "no_such_module_here:make",
        "roomkit_conformance.suites.telemetry:TelemetryProviderSuite",
    )
    seen: list[str] = []
    results = run_targets(
        [broken, good], keep=tmp_path, progress=lambda n, t, target, r: seen.append(target.name)
    )
    assert [r.status for r in results] == ["error", "passed"]
    assert "no_such_module_here" in results[0].detail
    assert results[1].passed >= 8
    assert sorted(seen) == ["broken", "noop"]
    assert (tmp_path / "events.jsonl").read_text().count("\n") > 8


def test_missing_llmock_is_named_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    from roomkit_conformance import runner

    target = Target("openai", "ai_provider", "openai", "roomkit_openai.testing:x", "a:B")
    monkeypatch.setattr(runner.importlib.util, "find_spec", _no_llmock(runner))
    monkeypatch.setattr(runner.shutil, "which", lambda *_a, **_k: None)
    requirement = runner.missing_requirement(target)
    assert requirement is runner.LLMOCK
    assert 'pip install "./conformance[llm]"' in requirement.hint
    (result,) = runner.run_targets([target])
    assert result.status == "error"
    assert result.detail == "needs the LLM wire fake (llmock)"


def test_only_factories_running_llmock_need_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from roomkit_conformance import runner

    monkeypatch.setattr(runner.importlib.util, "find_spec", _no_llmock(runner))
    monkeypatch.setattr(runner.shutil, "which", lambda *_a, **_k: None)
    for factory, needs in (
        ("roomkit_anthropic.testing:conformance_instance", True),  # llmock_instance
        ("roomkit_conformance.wire.llm:LLMockServer", True),  # the wire fake itself
        ("roomkit_sqlite.testing:conformance_instance", False),
        ("roomkit_opentelemetry.testing:otel_telemetry", False),
    ):
        target = Target("p", "ai_provider", "n", factory, "a:B")
        assert (runner.missing_requirement(target) is runner.LLMOCK) is needs, factory


def _no_llmock(runner: object) -> object:
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "llmock" else real(name, *args)

    return find_spec


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
