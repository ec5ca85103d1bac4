"""The built-in components pass their suites through the same runner a third party uses.

Every built-in component must either run its suite (with at least one test passing) or declare
why it is exempt; a component whose kind has no suite fails here, it is never skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roomkit.plugins.catalogue import Catalogue
from roomkit_conformance.runner import Target, run_targets, select_targets

TARGETS = select_targets(Catalogue.load(autoload=False), ["builtin"])


def test_builtin_components_exist() -> None:
    assert {t.label for t in TARGETS} >= {"store:memory", "channel:websocket", "telemetry:noop"}


@pytest.mark.parametrize("target", TARGETS, ids=[t.label for t in TARGETS])
def test_builtin_has_a_suite_and_a_factory_or_an_exemption(target: Target) -> None:
    assert target.problem is None, target.problem
    if target.factory is None:
        assert target.exempt, f"{target.label}: no conformance factory and no exemption"


def test_builtins_pass_their_suites_in_one_session(tmp_path: Path) -> None:
    results = run_targets(TARGETS, keep=tmp_path)
    for result in results:
        label = result.target.label
        if result.target.factory is None:
            assert result.status == "exempt", label
            continue
        assert result.status == "passed", (label, result.detail, result.failures)
        assert result.failed == 0
        assert result.errors == 0
        assert result.passed > 0, label
    generated = sorted(p.name for p in tmp_path.glob("test_*.py"))
    assert len(generated) == sum(1 for t in TARGETS if t.factory is not None)
