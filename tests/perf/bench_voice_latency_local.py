"""Workload: end of speech -> first TTS audio byte with the local models (ours only).

A ``VoiceChannel`` on the mock backend with the real stages and models: silero VAD
(roomkit-sherpa-onnx), Whisper tiny.en (roomkit-whisper, batch transcription of each
utterance) and the Piper voice (roomkit-sherpa-onnx), an ``AIChannel`` on a ``MockAIProvider``
answering a short sentence. Each turn: a sentence spoken by espeak-ng (16 kHz, 20-ms frames)
then silence until the VAD ends the utterance; the channel measures, on ``time.perf_counter``,
the time from that end of speech to the first audio chunk of the reply handed to the backend
(STT + store + AI turn + TTS of the first sentence). p50 / p95 / max over ``--n`` turns.
Models are loaded and warmed before timing. RoomKit 0.6.7 needs cloud or differently packaged
models for the same path, so there is no side-by-side figure.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from _common import base_parser, emit, median_of_runs

SENTENCES = (
    "What time do you open today",
    "I want to speak to an agent",
    "Please call me tomorrow morning",
)
REPLY = "We are open from nine to five. See you soon."


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def one_run(n: int) -> dict[str, Any]:
    from roomkit_sherpa_onnx import SherpaOnnxVADConfig, SherpaOnnxVADProvider
    from roomkit_sherpa_onnx.testing import piper_tts
    from roomkit_whisper import WhisperConfig, WhisperSTTProvider

    from roomkit import AIChannel, ChannelCategory, MockAIProvider, RoomKit, VoiceChannel
    from roomkit.testing import MockVoiceBackend
    from roomkit.voice.audio_frame import split_frames
    from roomkit.voice.pcm import silence
    from roomkit.voice.pipeline import AudioPipelineConfig
    from roomkit_conformance.speech import spoken

    stt = WhisperSTTProvider(WhisperConfig(partial_interval_ms=0))
    tts = piper_tts()
    await asyncio.gather(stt.warmup(), tts.warmup())
    backend = MockVoiceBackend()
    voice = VoiceChannel(
        "voice",
        stt=stt,
        tts=tts,
        backend=backend,
        pipeline=AudioPipelineConfig(
            vad=SherpaOnnxVADProvider(SherpaOnnxVADConfig.silero(silence_threshold_ms=400))
        ),
        streaming=False,
        clock=time.perf_counter,
    )
    kit = RoomKit()
    kit.register_channel(voice)
    kit.register_channel(AIChannel("ai", provider=MockAIProvider([REPLY])))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "voice")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    session = await kit.connect_voice("r", "caller", "voice")
    turns = [
        list(split_frames(spoken(s, pad_ms=300).data + silence(700), 16000, frame_ms=20))
        for s in SENTENCES
    ]
    for turn in range(n + 1):  # the first turn warms every path and is not counted
        for frame in turns[turn % len(turns)]:
            await backend.simulate_audio_received(session, frame)
        await voice.drain(session)
    latencies = voice.turn_latencies_ms(session)[1:]
    await kit.disconnect_voice(session)
    return {
        "turns": len(latencies),
        "p50_ms": _quantile(latencies, 0.50),
        "p95_ms": _quantile(latencies, 0.95),
        "max_ms": max(latencies) if latencies else float("nan"),
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--n", type=int, default=12, help="timed turns per run")
    args = parser.parse_args()
    runs = [asyncio.run(one_run(args.n)) for _ in range(args.runs)]
    result = median_of_runs(runs)
    result["runs"] = args.runs
    emit("voice_latency_local", result)


if __name__ == "__main__":
    main()
