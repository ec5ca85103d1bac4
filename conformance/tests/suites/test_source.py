"""The source suite against the kernel's in-process mock source (every capability claimed)."""

from __future__ import annotations

from typing import ClassVar

import pytest

from roomkit_conformance.builtins import mock_source
from roomkit_conformance.suites.source import SourceHarness, SourceProviderSuite


class TestMockSource(SourceProviderSuite):
    capabilities: ClassVar[frozenset[str]] = frozenset({"reconnects", "rejects_garbage"})

    @pytest.fixture
    def component(self) -> SourceHarness:
        return mock_source()
