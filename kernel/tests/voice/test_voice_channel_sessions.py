"""Twenty concurrent calls: every caller is heard right and hears its own reply."""

from __future__ import annotations

import asyncio
import itertools

from roomkit import AIChannel, ChannelCategory, MockAIProvider
from roomkit.models.enums import EventType
from roomkit.voice import AudioFrame
from roomkit.voice.base import TranscriptionResult
from roomkit.voice.pcm import samples, silence, tone
from roomkit.voice.stt.base import STTProvider, as_frame

from .voicekit import make_voice_kit

CALLS = 20


def pitch_of(pcm: bytes, rate: int) -> float:
    values = samples(pcm)
    crossings = sum(1 for a, b in itertools.pairwise(values) if (a < 0) != (b < 0))
    return crossings * rate / (2 * len(values))


class PitchSTT(STTProvider):
    """Hears which caller spoke: caller n speaks a tone of 300 + 50 n Hz."""

    async def transcribe(self, audio):  # type: ignore[no-untyped-def,override]
        frame = as_frame(audio)
        await asyncio.sleep(0)  # let the other sessions run meanwhile
        loud = b"".join(
            frame.data[i : i + 640]
            for i in range(0, len(frame.data), 640)
            if max(samples(frame.data[i : i + 640]) or [0]) > 3000
        )
        n = round((pitch_of(loud, frame.sample_rate) - 300) / 50)
        return TranscriptionResult(text=f"this is caller {n}")


async def test_twenty_concurrent_sessions_each_get_their_own_transcript_and_reply() -> None:
    vk = make_voice_kit(stt=PitchSTT())
    kit = vk.kit
    for n in range(CALLS):
        kit.register_channel(AIChannel(f"ai-{n}", provider=MockAIProvider([f"hello caller {n}"])))
        await kit.create_room(room_id=f"room-{n}")
        await kit.attach_channel(f"room-{n}", "voice")
        await kit.attach_channel(f"room-{n}", f"ai-{n}", category=ChannelCategory.INTELLIGENCE)
    sessions = [await kit.connect_voice(f"room-{n}", f"caller-{n}", "voice") for n in range(CALLS)]

    async def call(n: int) -> None:
        session = sessions[n]
        speech = tone(300 + 50 * n, 400, 16000, amplitude=0.5)
        for i in range(0, len(speech), 640):
            await vk.backend.simulate_audio_received(session, AudioFrame(speech[i : i + 640]))
            await asyncio.sleep(0)  # interleave the calls frame by frame
        for _ in range(4):
            await vk.backend.simulate_audio_received(session, AudioFrame(silence(20)))

    await asyncio.gather(*(call(n) for n in range(CALLS)))
    await vk.voice.drain()

    for n in range(CALLS):
        events = await kit.store.list_events(f"room-{n}")
        texts = [vk.voice.extract_text(e) for e in events if e.type is EventType.MESSAGE]
        assert texts == [f"this is caller {n}", f"hello caller {n}"]
        heard = b"".join(pcm for sid, pcm in vk.backend.sent_audio if sid == sessions[n].id)
        assert heard == b"".join(vk.tts.word_audio(w) for w in f"hello caller {n}".split())
    # every session had its own VAD instance
    vads = {id(vk.voice.pipeline.stages(s).vad) for s in sessions}
    assert len(vads) == CALLS
