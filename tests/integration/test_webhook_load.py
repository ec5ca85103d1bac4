"""The webhook load benchmark's checks on a small volume: a second process posts signed
vendor webhooks (10% duplicates, 1% bad signatures) at ``roomkit serve``; nothing is lost,
nothing stored twice, every duplicate dropped and every bad signature answered 403.
(Speed is measured by tests/perf/bench_webhooks.py, never asserted.)"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "perf" / "bench_webhooks.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_webhooks", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("vendor", "store"), [("webhook", "sqlite"), ("sinch", "memory")])
def test_nothing_lost_nothing_duplicated_every_forgery_refused(vendor: str, store: str) -> None:
    result = _bench().run(vendor, n=600, concurrency=10, store=store)
    assert result["bad_signatures_sent"] > 0
    assert result["duplicates_sent"] > 0
    assert result["lost"] == 0
    assert result["failed"] == 0
    assert result["valid_not_200"] == 0
    assert result["duplicates_dropped"] == result["duplicates_sent"]
    assert result["bad_signatures_403"] == result["bad_signatures_sent"]
    if store == "sqlite":
        assert (result["stored_lost"], result["stored_duplicated"]) == (0, 0)
        assert result["stored_unexpected"] == 0
