"""LocalAudioBackend passes the voice-backend conformance suite on fake PortAudio streams."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_local_audio.testing import local_audio_harness

from roomkit_conformance.suites.voice_backend import BackendHarness, VoiceBackendSuite


class TestLocalAudioBackend(VoiceBackendSuite):
    @pytest.fixture
    async def component(self) -> AsyncIterator[BackendHarness]:
        async with local_audio_harness() as harness:
            yield harness
