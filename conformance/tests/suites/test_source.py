"""The source suite passes the kernel's in-process mock source (every capability claimed) and
catches a broken one."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from roomkit_conformance.builtins import mock_source
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.source import SourceHarness, SourceProviderSuite


class TestMockSource(SourceProviderSuite):
    capabilities: ClassVar[frozenset[str]] = frozenset({"reconnects", "rejects_garbage"})

    @pytest.fixture
    def component(self) -> SourceHarness:
        return mock_source()


BROKEN = '''
from roomkit.sources.mock import MockSourceProvider
from roomkit_conformance.suites.source import SourceHarness

class Doubling(MockSourceProvider):
    """Forgets the idempotency key, emits everything twice, never reports STOPPED."""

    def _parse(self, payload):
        return super()._parse(payload).model_copy(update={"idempotency_key": None})

    async def _emit(self, emit, message):
        await super()._emit(emit, message)
        return await super()._emit(emit, message)

    async def stop(self):
        self._stopping.set()
        self._ready.set()

def make():
    source = Doubling("broken")
    async def send(message_id, text):
        source.push({"id": message_id, "text": text})
    return SourceHarness(source, "broken", send)
'''


def test_a_broken_source_fails_the_suite(tmp_path: Path) -> None:
    (tmp_path / "broken_source.py").write_text(BROKEN)
    target = Target("test", "source", "broken", "broken_source:make", SUITES["source"])
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failed = " ".join(result.failures)
    for name in (
        "test_messages_reach_emit_in_order",
        "test_stop_ends_start_and_marks_stopped",
        "test_attached_messages_are_stored_once",
    ):
        assert name in failed, f"{name} should have failed"
    assert result.passed >= 3  # what the broken source does right still passes
