"""The async path: callbacks awaited in order, blocking stages off the event loop, stalls."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from roomkit.voice import AudioFrame
from roomkit.voice.pipeline import (
    AudioPipeline,
    AudioPipelineConfig,
    DenoiserProvider,
    MockVADProvider,
    VADEvent,
    VADEventType,
)

from .conftest import frame, make_session

START, END = VADEvent(VADEventType.SPEECH_START), VADEvent(VADEventType.SPEECH_END)
WAIT = 10.0  # generous bound on waiting for a condition; never a sleep


class ThreadSpy(DenoiserProvider):
    blocking = True

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.threads: list[int] = []
        self.entered = threading.Event()

    def process(self, frame: AudioFrame) -> AudioFrame:
        self.threads.append(threading.get_ident())
        self.entered.set()
        if self.gate is not None and not self.gate.wait(WAIT):
            raise TimeoutError("test gate never opened")
        return frame


async def test_async_callbacks_are_awaited_in_order() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(vad=MockVADProvider([START, END])))
    order: list[str] = []

    async def slow(session: Any, event: Any) -> None:
        await asyncio.sleep(0)
        order.append(type(event).__name__)

    pipeline.on_event(slow)
    session = make_session()
    await pipeline.process_inbound_async(session, frame())
    await pipeline.process_inbound_async(session, frame())
    assert order == ["SpeechStartEvent", "SpeechEndEvent"]


async def test_sync_path_schedules_async_callbacks() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(vad=MockVADProvider([START])))
    seen: list[str] = []

    async def callback(session: Any, event: Any) -> None:
        seen.append(type(event).__name__)

    pipeline.on_event(callback)
    pipeline.process_frame(make_session(), frame())
    assert seen == []
    await pipeline.drain()
    assert seen == ["SpeechStartEvent"]


async def test_blocking_stages_run_in_a_worker_thread() -> None:
    spy = ThreadSpy()
    pipeline = AudioPipeline(AudioPipelineConfig(denoiser=spy))
    session = make_session()
    await pipeline.process_inbound_async(session, frame())
    instance = pipeline.stages(session).denoiser
    assert isinstance(instance, ThreadSpy)
    assert instance is not spy
    assert instance.threads
    assert instance.threads[0] != threading.get_ident()


async def test_non_blocking_stages_run_inline() -> None:
    class Inline(ThreadSpy):
        blocking = False

    pipeline = AudioPipeline(AudioPipelineConfig(denoiser=Inline()))
    session = make_session()
    await pipeline.process_inbound_async(session, frame())
    instance = pipeline.stages(session).denoiser
    assert isinstance(instance, Inline)
    assert instance.threads == [threading.get_ident()]


async def test_a_stalled_stage_drops_frames_until_it_returns_then_recovers() -> None:
    gate = threading.Event()
    pipeline = AudioPipeline(AudioPipelineConfig(denoiser=ThreadSpy(gate), stage_timeout=0.05))
    errors: list[Any] = []
    processed: list[AudioFrame] = []
    pipeline.on_error(lambda s, e: errors.append(e))
    pipeline.on_processed_frame(lambda s, f: processed.append(f))
    session = make_session()
    await pipeline.process_inbound_async(session, frame(1))  # blocks in the gate: times out
    assert [e.stage for e in errors] == ["stalled"]
    await pipeline.process_inbound_async(session, frame(2))  # dropped while stalled
    assert pipeline.stats(session).dropped_frames == 1
    gate.set()
    async with asyncio.timeout(WAIT):
        while _stalled(pipeline, session):
            await asyncio.sleep(0.01)
    await pipeline.process_inbound_async(session, frame(3))
    assert [f.data for f in processed] == [frame(3).data]
    assert pipeline.stats(session).stage_failures == {"stalled": 1}


def _stalled(pipeline: AudioPipeline, session: Any) -> bool:
    state = pipeline._sessions[session.id]
    return state.stalled is not None and not state.stalled.done()


async def test_frames_of_one_session_keep_their_order_under_concurrency() -> None:
    pipeline = AudioPipeline(AudioPipelineConfig(denoiser=ThreadSpy()))
    seen: list[bytes] = []
    pipeline.on_processed_frame(lambda s, f: seen.append(f.data))
    session = make_session()
    await asyncio.gather(*(pipeline.process_inbound_async(session, frame(i)) for i in range(1, 30)))
    assert seen == [frame(i).data for i in range(1, 30)]
