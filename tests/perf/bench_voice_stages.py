"""Workload: the audio pipeline with the real stages, one core.

Inbound chain of a WebRTC-style call: 48 kHz frames of 20 ms -> soxr resampler (to 16 kHz) ->
energy AGC -> silero VAD (sherpa-onnx, one ONNX thread). The audio is a sentence spoken by
espeak-ng followed by silence, looped, so the VAD sees real speech starts and ends. Frames of
``--sessions`` calls are interleaved through ``AudioPipeline.process_frame`` on one thread.

Reported: frames/s (wall and per CPU-second of this process, which is "per core" since every
stage runs on the calling thread), the real-time calls one core sustains (a call is 50
frames/s), the cost of each stage alone (us per frame), and the utterances found. Needs
roomkit-audio, roomkit-sherpa-onnx[silero] and espeak-ng/sox (``make install``). Ours only:
RoomKit 0.6.7 has no soxr resampler or energy AGC stage to compare with.
"""

from __future__ import annotations

import time
from typing import Any

from _common import base_parser, emit, median_of_runs

FRAME_MS = 20
CALL_FRAMES_PER_S = 1000 // FRAME_MS
TRANSPORT_RATE = 48000
SENTENCE = "I would like to book a table for four people at eight tonight"


def call_audio() -> bytes:
    """One period of a call at 48 kHz: the sentence, then 1.5 s of silence."""
    from roomkit.voice.pcm import silence
    from roomkit_conformance.speech import spoken

    return spoken(SENTENCE, TRANSPORT_RATE, pad_ms=300).data + silence(1500, TRANSPORT_RATE)


def frames(data: bytes) -> list[Any]:
    from roomkit.voice.audio_frame import split_frames

    return list(split_frames(data, TRANSPORT_RATE, frame_ms=FRAME_MS))


def build_pipeline() -> tuple[Any, Any]:
    from roomkit_audio import EnergyAGCProvider, SoxrResamplerProvider
    from roomkit_sherpa_onnx import SherpaOnnxVADConfig, SherpaOnnxVADProvider

    from roomkit.voice.pipeline import AudioFormat, AudioPipeline, AudioPipelineConfig
    from roomkit.voice.pipeline.config import AudioPipelineContract

    vad = SherpaOnnxVADProvider(SherpaOnnxVADConfig.silero(num_threads=1))
    config = AudioPipelineConfig(
        resampler=SoxrResamplerProvider(),
        agc=EnergyAGCProvider(),
        vad=vad,
        contract=AudioPipelineContract(
            transport_inbound_format=AudioFormat(TRANSPORT_RATE),
            internal_format=AudioFormat(16000),
        ),
    )
    return AudioPipeline(config), vad


def run_pipeline(n: int, sessions: int, source: list[Any]) -> dict[str, Any]:
    from roomkit.voice.base import VoiceSession

    pipeline, vad = build_pipeline()
    ended: list[int] = []
    pipeline.on_speech_end(lambda session, audio: ended.append(len(audio)))
    calls = [VoiceSession.new("bench", f"caller-{i}", "voice") for i in range(sessions)]
    vad.preload(sessions)
    for call in calls:
        pipeline.on_session_active(call)
    warm = source[: len(source) // 4]
    for frame in warm:  # loads the detectors and warms code paths; not timed
        for call in calls:
            pipeline.process_frame(call, frame)
    count = len(source)
    started_cpu, started = time.process_time(), time.perf_counter()
    for i in range(n):
        call = calls[i % sessions]
        pipeline.process_frame(call, source[(i // sessions) % count])
    wall = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    for call in calls:
        pipeline.on_session_ended(call)
    per_cpu = n / cpu if cpu > 0 else float("nan")
    return {
        "frames": n,
        "frames_per_s": n / wall,
        "frames_per_cpu_s": per_cpu,
        "realtime_calls_per_core": per_cpu / CALL_FRAMES_PER_S,
        "us_per_frame": wall / n * 1e6,
        "speech_ends": len(ended),
    }


def stage_costs(source: list[Any], n: int) -> dict[str, float]:
    """Microseconds per frame of each stage alone (fresh instances, same audio)."""
    from roomkit_audio import EnergyAGCProvider, SoxrResamplerProvider
    from roomkit_sherpa_onnx import SherpaOnnxVADConfig, SherpaOnnxVADProvider

    from roomkit.voice.base import VoiceSession
    from roomkit.voice.stage import bind_stage

    session = VoiceSession.new("bench", "stage", "voice")
    resampler = bind_stage(SoxrResamplerProvider(), session)
    inbound = [resampler.resample(f, 16000, 1, 2) for f in source]
    out: dict[str, float] = {}
    checks: list[tuple[str, Any, list[Any]]] = [
        ("soxr_48k_to_16k", lambda f: resampler.resample(f, 16000, 1, 2), source),
        ("energy_agc", bind_stage(EnergyAGCProvider(), session).process, inbound),
        (
            "silero_vad",
            bind_stage(SherpaOnnxVADProvider(SherpaOnnxVADConfig.silero()), session).process,
            inbound,
        ),
    ]
    for name, stage, frames_in in checks:
        for frame in frames_in[:50]:
            stage(frame)
        started = time.perf_counter()
        for i in range(n):
            stage(frames_in[i % len(frames_in)])
        out[f"{name}_us_per_frame"] = (time.perf_counter() - started) / n * 1e6
    return out


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.add_argument("--n", type=int, default=20000, help="frames processed per run")
    parser.add_argument("--sessions", type=int, default=10, help="interleaved calls")
    args = parser.parse_args()
    source = frames(call_audio())
    runs = [run_pipeline(args.n, args.sessions, source) for _ in range(args.runs)]
    result = median_of_runs(runs)
    result.update(stage_costs(source, min(args.n, 5000)))
    result["sessions"] = args.sessions
    result["runs"] = args.runs
    emit("voice_stages", result)


if __name__ == "__main__":
    main()
