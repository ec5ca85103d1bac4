"""roomkit-whisper passes the STT conformance suite with the real tiny.en model."""

from __future__ import annotations

from typing import Any

import pytest
from roomkit_whisper.testing import tiny_en

from roomkit_conformance.suites.stt import STTProviderSuite


class TestWhisperTinyEn(STTProviderSuite):
    capabilities = {"streaming", "analyses_audio"}

    @pytest.fixture
    def component(self) -> Any:
        return tiny_en()
