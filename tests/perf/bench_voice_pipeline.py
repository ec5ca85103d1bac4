"""Workload: the audio pipeline with mock stages, 20-ms frames.

Every stage of RoomKit 0.6.7's AudioPipelineConfig is a mock (resampler, recorder with a
RecordingConfig, AEC, AGC, denoiser, VAD, diarization, DTMF); the VAD is scripted with a
2-second utterance every 5 seconds (its SPEECH_END carries the utterance audio, so both
implementations emit the same speech-end callbacks). A new ``AudioFrame`` is built for every
frame, as a backend does per packet. Two measurements:

* ``--mode throughput``: frames/s over ``--n`` frames (``--sessions`` interleaved calls),
  median of ``--runs`` fresh pipelines; ``--stages noop`` replaces the mocks (except the
  scripted VAD) by minimal stages written against the public contracts, to isolate the
  engine's own cost from the mocks' bookkeeping;
* ``--mode call``: one simulated call of ``--n`` frames (180,000 = one hour); per-frame cost of
  the first 10% and of the last 10% of the call (mean, garbage-collection pauses included;
  the median of 1,000-frame blocks, which resists stalls from other processes, is in the JSON
  too) and their ratio (1.0 = flat), plus the growth of the process's peak RSS. Code paths
  are warmed on a throwaway pipeline first.

Runs unchanged on our kernel and on the original 0.6.7 (public names only).
"""

from __future__ import annotations

import resource
import statistics
import time
from typing import Any

from _common import base_parser, emit, median_of_runs

FRAME_SAMPLES = 320  # 20 ms at 16 kHz
UTTERANCE_EVERY = 250  # frames (5 s)
SPEECH_FRAMES = 100  # 2 s of speech in each period
BLOCK = 1000


def noop_stages() -> dict[str, Any]:
    """Minimal stages written against the public contracts: isolates the engine's own cost."""
    from roomkit.voice.pipeline import (
        AECProvider,
        AGCProvider,
        DenoiserProvider,
        DiarizationProvider,
        DTMFDetector,
    )

    class Passthrough(DenoiserProvider):
        @property
        def name(self) -> str:
            return "passthrough"

        def process(self, frame: Any) -> Any:
            return frame

    class NoEcho(AECProvider):
        @property
        def name(self) -> str:
            return "no-echo"

        def process(self, frame: Any) -> Any:
            return frame

        def feed_reference(self, frame: Any) -> None:
            pass

    class NoGain(AGCProvider):
        @property
        def name(self) -> str:
            return "no-gain"

        def process(self, frame: Any) -> Any:
            return frame

    class NoSpeaker(DiarizationProvider):
        @property
        def name(self) -> str:
            return "no-speaker"

        def process(self, frame: Any) -> Any:
            return None

    class NoTone(DTMFDetector):
        @property
        def name(self) -> str:
            return "no-tone"

        def process(self, frame: Any) -> Any:
            return None

    return {
        "denoiser": Passthrough(),
        "aec": NoEcho(),
        "agc": NoGain(),
        "diarization": NoSpeaker(),
        "dtmf": NoTone(),
    }


def build(n: int, sessions: list[Any], stages: str = "mock") -> tuple[Any, dict[str, int]]:
    """A pipeline with every mock stage and callbacks counting what they see."""
    from roomkit.voice.pipeline import (
        AudioPipeline,
        AudioPipelineConfig,
        MockAECProvider,
        MockAGCProvider,
        MockAudioRecorder,
        MockDenoiserProvider,
        MockDiarizationProvider,
        MockDTMFDetector,
        MockResamplerProvider,
        MockVADProvider,
        RecordingConfig,
        VADEvent,
        VADEventType,
    )

    utterance = b"\x01\x00" * FRAME_SAMPLES * SPEECH_FRAMES
    start = VADEvent(type=VADEventType.SPEECH_START)
    end = VADEvent(type=VADEventType.SPEECH_END, audio_bytes=utterance)
    script: list[Any] = [None] * n
    for offset in range(0, n, UTTERANCE_EVERY):
        if offset + 50 + SPEECH_FRAMES < n:
            script[offset + 50] = start
            script[offset + 50 + SPEECH_FRAMES] = end
    if stages == "noop":
        config = AudioPipelineConfig(vad=MockVADProvider(script), **noop_stages())
    else:
        config = AudioPipelineConfig(
            vad=MockVADProvider(script),
            denoiser=MockDenoiserProvider(),
            aec=MockAECProvider(),
            agc=MockAGCProvider(),
            diarization=MockDiarizationProvider([]),
            dtmf=MockDTMFDetector([]),
            recorder=MockAudioRecorder(),
            recording_config=RecordingConfig(),
            resampler=MockResamplerProvider(),
        )
    pipeline = AudioPipeline(config)
    seen = {"speech_end": 0, "speech_bytes": 0, "vad_events": 0}

    def on_end(session: Any, audio: bytes) -> None:
        seen["speech_end"] += 1
        seen["speech_bytes"] += len(audio)

    def on_vad(session: Any, event: Any) -> None:
        seen["vad_events"] += 1

    pipeline.on_speech_end(on_end)
    pipeline.on_vad_event(on_vad)
    for session in sessions:
        pipeline.on_session_active(session)
    return pipeline, seen


def make_sessions(count: int) -> list[Any]:
    from roomkit.voice import VoiceSession, VoiceSessionState

    return [
        VoiceSession(
            id=f"call-{i}",
            room_id="room",
            participant_id=f"caller-{i}",
            channel_id="voice",
            state=VoiceSessionState.ACTIVE,
        )
        for i in range(count)
    ]


def throughput(n: int, session_count: int, stages: str) -> dict[str, Any]:
    from roomkit.voice import AudioFrame

    sessions = make_sessions(session_count)
    per_session = n // session_count
    pipeline, seen = build(per_session, sessions, stages)
    payload = b"\x01\x00" * FRAME_SAMPLES
    process = pipeline.process_frame
    started = time.perf_counter()
    for i in range(per_session):
        stamp = i * 20.0
        for session in sessions:
            process(session, AudioFrame(payload, sample_rate=16000, timestamp_ms=stamp))
    wall = time.perf_counter() - started
    frames = per_session * session_count
    return {
        "frames": frames,
        "frames_per_s": frames / wall,
        "us_per_frame": wall / frames * 1e6,
        "speech_ends": seen["speech_end"],
        "vad_events": seen["vad_events"],
    }


def call(n: int, warmup: int) -> dict[str, Any]:
    from roomkit.voice import AudioFrame

    payload = b"\x01\x00" * FRAME_SAMPLES
    # Warm the code paths on a throwaway pipeline so the first window is not a cold start.
    warm_sessions = make_sessions(1)
    scratch, _ = build(warmup, warm_sessions)
    for _ in range(warmup):
        scratch.process_frame(warm_sessions[0], AudioFrame(payload, sample_rate=16000))
    del scratch
    sessions = make_sessions(1)
    session = sessions[0]
    pipeline, seen = build(n, sessions)
    process = pipeline.process_frame
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    blocks: list[float] = []
    clock = time.perf_counter
    started = block_start = clock()
    for i in range(n):
        process(session, AudioFrame(payload, sample_rate=16000, timestamp_ms=i * 20.0))
        if i % BLOCK == BLOCK - 1:
            now = clock()
            blocks.append((now - block_start) / BLOCK)
            block_start = now
    wall = clock() - started
    rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    window = max(1, len(blocks) // 10)
    # Mean cost per window includes garbage-collection pauses (what a call really pays); the
    # median of 1,000-frame blocks resists stalls caused by other processes.
    first, last = statistics.fmean(blocks[:window]) * 1e6, statistics.fmean(blocks[-window:]) * 1e6
    first_med = statistics.median(blocks[:window]) * 1e6
    last_med = statistics.median(blocks[-window:]) * 1e6
    return {
        "frames": n,
        "call_minutes": n * 20 / 60_000,
        "frames_per_s": n / wall,
        "first_10pct_us_per_frame": first,
        "last_10pct_us_per_frame": last,
        "last_over_first_cost": last / first,
        "first_10pct_us_per_frame_median": first_med,
        "last_10pct_us_per_frame_median": last_med,
        "last_over_first_cost_median": last_med / first_med,
        "peak_rss_growth_mb": (rss_end - rss_start) / 1024,
        "speech_ends": seen["speech_end"],
        "speech_bytes": seen["speech_bytes"],
    }


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--mode", choices=("throughput", "call"), default="throughput")
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--stages", choices=("mock", "noop"), default="mock")
    parser.add_argument("--warmup", type=int, default=5_000, help="frames, call mode only")
    args = parser.parse_args()
    if args.mode == "call":
        emit("voice_call_1h", call(args.n, args.warmup))
        return
    runs = [throughput(args.n, args.sessions, args.stages) for _ in range(max(1, args.runs))]
    name = "voice_pipeline" if args.sessions == 1 else f"voice_pipeline_{args.sessions}"
    name += "_noop" if args.stages == "noop" else ""
    emit(name, {**median_of_runs(runs), "runs": len(runs), "sessions": args.sessions})


if __name__ == "__main__":
    main()
