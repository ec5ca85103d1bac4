"""Workload: latency from the end of the caller's speech to the first TTS audio byte.

One room with a ``VoiceChannel`` on the mock backend (``MockSTTProvider``,
``MockTTSProvider``) and an ``AIChannel`` on a ``MockAIProvider``; a simple energy VAD written
against the public ``VADProvider`` contract. Each turn: 300 ms of tone then silence frames
until the VAD ends the utterance; the channel measures (with ``time.perf_counter`` as its
clock) the time from that end of speech to the first audio chunk of the reply it hands the
backend: STT, hooks, store, the AI turn, broadcast, sentence split, TTS and the outbound
pipeline -- the framework's share of a turn with instant providers. p50 / p95 / max over
``--n`` turns, median of ``--runs`` runs.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from _common import base_parser, emit, median_of_runs


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def one_run(n: int) -> dict[str, Any]:
    from roomkit import AIChannel, ChannelCategory, MockAIProvider, RoomKit, VoiceChannel
    from roomkit.testing import MockSTTProvider, MockTTSProvider, MockVoiceBackend
    from roomkit.voice import AudioFrame
    from roomkit.voice.pcm import rms, silence, tone
    from roomkit.voice.pipeline import AudioPipelineConfig, VADEvent, VADEventType, VADProvider

    class EnergyVAD(VADProvider):
        def __init__(self) -> None:
            self.speaking = False
            self.quiet = 0

        def process(self, frame: AudioFrame) -> VADEvent | None:
            if rms(frame.data) > 500:
                self.quiet = 0
                if not self.speaking:
                    self.speaking = True
                    return VADEvent(VADEventType.SPEECH_START)
                return None
            if self.speaking:
                self.quiet += 1
                if self.quiet >= 3:
                    self.speaking, self.quiet = False, 0
                    return VADEvent(VADEventType.SPEECH_END)
            return None

    backend = MockVoiceBackend()
    voice = VoiceChannel(
        "voice",
        stt=MockSTTProvider(["What are your opening hours?"]),
        tts=MockTTSProvider(),
        backend=backend,
        pipeline=AudioPipelineConfig(vad=EnergyVAD()),
        clock=time.perf_counter,
    )
    kit = RoomKit()
    kit.register_channel(voice)
    kit.register_channel(
        AIChannel("ai", provider=MockAIProvider(["We are open from nine to five. See you soon."]))
    )
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "voice")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    session = await kit.connect_voice("r", "caller", "voice")
    speech = [AudioFrame(tone(440, 20, 16000, amplitude=0.5)) for _ in range(15)]
    quiet = [AudioFrame(silence(20)) for _ in range(4)]
    started = time.perf_counter()
    for _ in range(n):
        for frame in (*speech, *quiet):
            await backend.simulate_audio_received(session, frame)
        await voice.drain(session)
    elapsed = time.perf_counter() - started
    latencies = voice.turn_latencies_ms(session)
    await kit.close()
    return {
        "turns": len(latencies),
        "p50_ms": round(statistics.median(latencies), 3),
        "p95_ms": round(_quantile(latencies, 0.95), 3),
        "max_ms": round(max(latencies), 3),
        "turns_per_s": round(n / elapsed, 1),
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--n", type=int, default=200, help="turns per run (at most 256 kept)")
    args = parser.parse_args()
    n = min(args.n, 256)
    results = [asyncio.run(one_run(n)) for _ in range(args.runs)]
    merged = median_of_runs(results)
    merged["runs"] = args.runs
    merged["p50_ms_all"] = [r["p50_ms"] for r in results]
    emit("voice_latency", merged)


if __name__ == "__main__":
    main()
