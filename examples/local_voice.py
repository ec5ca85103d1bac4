"""Talk to a room's agent from this machine's microphone and speaker, with local models only.

    python examples/local_voice.py                       # speak; Ctrl-C to stop
    python examples/local_voice.py --list-devices
    python examples/local_voice.py --input-device "USB" --output-device "USB"
    python examples/local_voice.py --simulate question.wav --record reply.wav   # no sound card

Your speech goes through the silero VAD (roomkit-sherpa-onnx) and Whisper tiny.en
(roomkit-whisper) into a room whose agent answers; the answer is spoken by a Piper voice
(roomkit-sherpa-onnx) on the speaker. The agent is a scripted MockAIProvider unless you give
``--openai-base-url`` (any OpenAI-compatible local server, e.g. llama.cpp's) and ``--model``.

Use headphones, or keep the default half-duplex mode (the microphone is ignored while the
agent speaks, so it does not hear itself; ``--full-duplex`` lets you interrupt it).
``--simulate`` runs headless: the microphone hears a WAV file and the speaker is written to
``--record``, through the same backend code on fake PortAudio streams.

Needs roomkit-local-audio (sounddevice + the PortAudio library), roomkit-audio,
roomkit-sherpa-onnx[silero,piper] and roomkit-whisper[tiny-en]; no network is used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

from roomkit import (
    Agent,
    ChannelCategory,
    HookTrigger,
    MockAIProvider,
    RoomKit,
    VoiceChannel,
)
from roomkit.plugins.factory import create_component
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import silence
from roomkit.voice.pipeline import AudioPipelineConfig
from roomkit.voice.wav import decode_wav, encode_wav

ROOM = "laptop"
MIC_RATE = 16000


def local_models() -> tuple[Any, Any, AudioPipelineConfig]:
    """Whisper STT, Piper TTS and a pipeline with the silero VAD and the soxr resampler."""
    try:
        from roomkit_audio import SoxrResamplerProvider
        from roomkit_sherpa_onnx import (
            SherpaOnnxTTSConfig,
            SherpaOnnxTTSProvider,
            SherpaOnnxVADConfig,
            SherpaOnnxVADProvider,
        )
        from roomkit_whisper import WhisperSTTProvider
    except ImportError as exc:
        sys.exit(
            f"{exc}: install roomkit-audio, roomkit-sherpa-onnx[silero,piper] and "
            "roomkit-whisper[tiny-en] (make install does)"
        )
    pipeline = AudioPipelineConfig(
        resampler=SoxrResamplerProvider(),
        vad=SherpaOnnxVADProvider(SherpaOnnxVADConfig.silero()),
    )
    tts = SherpaOnnxTTSProvider(SherpaOnnxTTSConfig.bundled_piper())
    return WhisperSTTProvider(), tts, pipeline


def agent_provider(args: argparse.Namespace) -> Any:
    if not args.openai_base_url:
        return MockAIProvider(
            responses=["Hello! I heard you.", "Tell me more.", "Thank you, goodbye."]
        )
    return create_component(
        "ai_provider",
        "openai",
        {"api_key": "local", "base_url": args.openai_base_url, "model": args.model},
    )


async def main(args: argparse.Namespace) -> None:
    from roomkit_local_audio import LocalAudioBackend, list_devices

    if args.list_devices:
        for device in list_devices():
            print(
                f"{device.index:3}  {device.name}  in={device.max_input_channels} "
                f"out={device.max_output_channels}  {device.default_samplerate:.0f} Hz"
            )
        return

    factory = None
    if args.simulate:
        from roomkit_local_audio.testing import FakeStreamFactory

        factory = FakeStreamFactory(autoplay=True, speed=20.0)
    stt, tts, pipeline = local_models()
    backend = LocalAudioBackend(
        input_sample_rate=MIC_RATE,
        output_sample_rate=tts.sample_rate if args.simulate else 24000,
        input_device=args.input_device,
        output_device=args.output_device,
        mute_mic_during_playback=not args.full_duplex,
        resampler=pipeline.resampler,
        stream_factory=factory,
    )
    voice = VoiceChannel("voice", stt=stt, tts=tts, backend=backend, pipeline=pipeline)
    kit = RoomKit()
    kit.register_channel(voice)
    agent = Agent(
        "assistant",
        provider=agent_provider(args),
        role="Assistant",
        system_prompt="You are a friendly voice assistant. Answer in one short sentence.",
    )
    kit.register_channel(agent)
    await kit.create_room(room_id=ROOM)
    await kit.attach_channel(ROOM, "voice")
    await kit.attach_channel(ROOM, "assistant", category=ChannelCategory.INTELLIGENCE)

    @kit.hook(HookTrigger.ON_TRANSCRIPTION)
    async def heard(event: Any, ctx: Any) -> None:
        print(f"you said: {getattr(event, 'text', event)}")

    @kit.hook(HookTrigger.BEFORE_TTS)
    async def speaking(event: Any, ctx: Any) -> None:
        print(f"agent says: {voice.extract_text(event)}")

    print("loading the models ...")
    await asyncio.gather(stt.warmup(), tts.warmup())
    session = await kit.connect_voice(ROOM, "me", "voice")
    await backend.start_listening(session)
    try:
        if args.simulate:
            await simulate(args, backend, voice, session, factory)
        else:
            print("listening: speak (Ctrl-C to stop)")
            await asyncio.Event().wait()
    finally:
        await kit.disconnect_voice(session)
        await kit.close()


async def simulate(
    args: argparse.Namespace, backend: Any, voice: VoiceChannel, session: Any, factory: Any
) -> None:
    """Headless: feed the WAV to the fake microphone, write what the speaker played."""
    frame = decode_wav(await asyncio.to_thread(Path(args.simulate).read_bytes))
    if frame.sample_rate != MIC_RATE or frame.channels != 1:
        frame = backend_resample(frame)
    (mic,) = factory.of_kind("input")
    audio = frame.data + silence(1500, MIC_RATE)
    for offset in range(0, len(audio), mic.block_bytes):  # at the pace of a real microphone
        await asyncio.to_thread(mic.feed, audio[offset : offset + mic.block_bytes])
        await asyncio.sleep(mic.blocksize / MIC_RATE)
    await voice.drain(session)
    await asyncio.sleep(0.5)  # the last blocks leave the (20x real time) fake speaker
    outputs = factory.of_kind("output")
    played = bytes(outputs[0].played) if outputs else b""
    start = len(played) - len(played.lstrip(b"\0"))  # trim the device's idle silence
    played = played[start - start % 2 : len(played.rstrip(b"\0")) + 1]
    played = played[: len(played) - len(played) % 2]
    rate = outputs[0].samplerate if outputs else MIC_RATE
    if args.record:
        await asyncio.to_thread(Path(args.record).write_bytes, encode_wav(played, rate))
        print(f"speaker: {len(played) / 2 / rate:.1f} s written to {args.record}")


def backend_resample(frame: AudioFrame) -> AudioFrame:
    from roomkit_audio import SoxrResamplerProvider

    resampler = SoxrResamplerProvider()
    out = resampler.resample(frame, MIC_RATE, 1, 2)
    tail = resampler.flush(MIC_RATE, 1, 2)
    return out.with_data(out.data + (tail.data if tail else b""))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--list-devices", action="store_true", help="print the sound devices")
    parser.add_argument("--input-device", help="microphone: index or part of its name")
    parser.add_argument("--output-device", help="speaker: index or part of its name")
    parser.add_argument("--full-duplex", action="store_true", help="allow barge-in (headphones)")
    parser.add_argument("--openai-base-url", help="an OpenAI-compatible local LLM server")
    parser.add_argument("--model", default="local", help="the model name on that server")
    parser.add_argument("--simulate", metavar="WAV", help="no sound card: the mic hears WAV")
    parser.add_argument("--record", metavar="WAV", help="with --simulate: write the speaker")
    args = parser.parse_args(argv)
    for name in ("input_device", "output_device"):
        value = getattr(args, name)
        if value is not None and value.isdigit():
            setattr(args, name, int(value))
    return args


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parse()))
