"""A spoken round trip on files, with local models only (``python examples/voice_demo.py``).

A caller's sentence (a WAV file you give, or one spoken by espeak-ng) is played into a
``VoiceChannel`` as 20-ms frames; the silero VAD (roomkit-sherpa-onnx) finds the utterance,
Whisper tiny.en (roomkit-whisper) transcribes it, the seed's triage agent answers and hands the
call to the advisor, who greets the caller; their replies are spoken by a Piper voice and
written to a WAV file. Whisper then listens to that file, so you see what was heard and said.

    python examples/voice_demo.py                              # espeak-ng says the sentence
    python examples/voice_demo.py --input call.wav --output reply.wav

Needs roomkit-audio, roomkit-sherpa-onnx[silero,piper], roomkit-whisper[tiny-en] and the
espeak-ng program (``make install`` sets all of it up). No network is used.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from roomkit_audio import SoxrResamplerProvider
from roomkit_sherpa_onnx import (
    SherpaOnnxTTSConfig,
    SherpaOnnxTTSProvider,
    SherpaOnnxVADConfig,
    SherpaOnnxVADProvider,
)
from roomkit_whisper import WhisperSTTProvider

from roomkit import (
    Agent,
    ChannelCategory,
    ConversationPipeline,
    ConversationState,
    MockAIProvider,
    PipelineStage,
    RoomKit,
    VoiceChannel,
    set_conversation_state,
)
from roomkit.models.enums import EventType
from roomkit.testing import MockVoiceBackend
from roomkit.voice.audio_frame import AudioFrame, split_frames
from roomkit.voice.pcm import silence
from roomkit.voice.pipeline import AudioFormat, AudioPipelineConfig
from roomkit.voice.pipeline.config import AudioPipelineContract
from roomkit.voice.wav import decode_wav, encode_wav

RATE = 16000
ROOM = "call-1"
SENTENCE = "I need investment advice"


def caller_audio(path: str | None) -> AudioFrame:
    """The caller's speech at 16 kHz mono: the file given, or espeak-ng saying SENTENCE."""
    if path is None:
        from roomkit_conformance.speech import spoken

        return spoken(SENTENCE, RATE)
    frame = decode_wav(Path(path).read_bytes())
    resampler = SoxrResamplerProvider()
    out = resampler.resample(frame, RATE, 1, 2)
    tail = resampler.flush(RATE, 1, 2)
    return out.with_data(out.data + (tail.data if tail else b""))


async def build(backend: MockVoiceBackend, stt: WhisperSTTProvider) -> tuple[RoomKit, VoiceChannel]:
    tts = SherpaOnnxTTSProvider(SherpaOnnxTTSConfig.bundled_piper())
    pipeline = AudioPipelineConfig(
        resampler=SoxrResamplerProvider(),
        vad=SherpaOnnxVADProvider(SherpaOnnxVADConfig.silero()),
        contract=AudioPipelineContract(
            transport_inbound_format=AudioFormat(RATE),
            transport_outbound_format=AudioFormat(RATE),
            internal_format=AudioFormat(RATE),
        ),
    )
    # Batch STT of each utterance (with the VAD's pre-roll); see docs/voice.md.
    voice = VoiceChannel(
        "voice", stt=stt, tts=tts, backend=backend, pipeline=pipeline, streaming=False
    )
    kit = RoomKit()
    kit.register_channel(voice)
    triage = Agent(
        "agent-triage",
        provider=MockAIProvider(
            responses=["Let me transfer you to our advisor."],
            tool_calls=[
                {
                    "name": "handoff_conversation",
                    "arguments": {"target": "agent-advisor", "reason": "investment question"},
                    "id": "call-1",
                }
            ],
        ),
        role="Triage receptionist",
        voice="en-us",
        system_prompt="You triage incoming requests.",
    )
    advisor = Agent(
        "agent-advisor",
        provider=MockAIProvider(responses=["Hello, I am your financial advisor."]),
        role="Financial advisor",
        voice="en-us",
        greeting="Greet the caller and offer help with investments.",
        system_prompt="You advise on investments.",
    )
    kit.register_channel(triage)
    kit.register_channel(advisor)
    ConversationPipeline(
        stages=[
            PipelineStage(phase="intake", agent_id="agent-triage", next="handling"),
            PipelineStage(phase="handling", agent_id="agent-advisor", next=None),
        ]
    ).install(kit, [triage, advisor], greet_on_handoff=True, voice_channel_id="voice")
    await kit.create_room(room_id=ROOM)
    for channel, category in (
        ("voice", None),
        ("agent-triage", ChannelCategory.INTELLIGENCE),
        ("agent-advisor", ChannelCategory.INTELLIGENCE),
    ):
        if category is None:
            await kit.attach_channel(ROOM, channel)
        else:
            await kit.attach_channel(ROOM, channel, category=category)
    room = set_conversation_state(
        await kit.get_room(ROOM), ConversationState(phase="intake", active_agent_id="agent-triage")
    )
    await kit.store.update_room(room)
    return kit, voice


async def main(input_path: str | None, output_path: str) -> None:
    started = time.perf_counter()
    stt = WhisperSTTProvider()
    backend = MockVoiceBackend()
    kit, voice = await build(backend, stt)
    await asyncio.gather(stt.warmup(), voice.tts.warmup() if voice.tts else asyncio.sleep(0))
    print(f"models loaded in {time.perf_counter() - started:.1f} s")

    audio = caller_audio(input_path)
    print(f"caller: {audio.duration_ms / 1000:.1f} s of speech from {input_path or 'espeak-ng'}")
    session = await kit.connect_voice(ROOM, "caller", "voice")
    frames = list(split_frames(audio.data + silence(1000, RATE), RATE, frame_ms=20))
    for frame in frames:
        await backend.simulate_audio_received(session, frame)
    await voice.drain(session)

    print("\nthe room:")
    for event in await kit.store.list_events(ROOM):
        if event.type is EventType.MESSAGE:
            print(f"  {event.source.channel_id:<14} {voice.extract_text(event)}")

    played = b"".join(pcm for sid, pcm in backend.sent_audio if sid == session.id)
    await asyncio.to_thread(Path(output_path).write_bytes, encode_wav(played, RATE))
    heard = await stt.transcribe(AudioFrame(played, RATE))
    print(f"\nspoken to the caller: {len(played) / 2 / RATE:.1f} s, written to {output_path}")
    print(f"Whisper hears in it: {heard.text!r}")
    await kit.disconnect_voice(session)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--input", help="a WAV file of the caller (default: espeak-ng)")
    parser.add_argument("--output", default="voice_demo_reply.wav", help="WAV of the replies")
    args = parser.parse_args()
    asyncio.run(main(args.input, args.output))
