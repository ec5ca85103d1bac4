"""The built-in components pass their suites through the same runner a third party uses."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from roomkit.plugins.catalogue import Catalogue
from roomkit_conformance.runner import run_target, select_targets

TARGETS = select_targets(Catalogue.load(autoload=False), ["builtin"])


@pytest.mark.parametrize("target", TARGETS, ids=[t.label for t in TARGETS])
def test_builtin_passes_its_suite(target: object, tmp_path: Path) -> None:
    from roomkit_conformance.runner import Target

    assert isinstance(target, Target)
    if target.factory is None:
        assert run_target(target, workdir=tmp_path).status == "skipped"
        pytest.skip(f"{target.label} declares no conformance factory")
    if target.suite is not None:
        suite_module = target.suite.partition(":")[0]
        if importlib.util.find_spec(suite_module) is None:
            pytest.skip(f"suite {suite_module} is not written yet")
    result = run_target(target, workdir=tmp_path)
    assert result.status == "passed", result.failures or result.detail
    assert result.failed == 0
    assert result.errors == 0
    assert result.passed > 0
