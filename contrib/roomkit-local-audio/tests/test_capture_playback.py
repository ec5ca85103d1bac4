"""Microphone capture and speaker playback through fake PortAudio streams the test drives.

The backend's real code runs: its stream callbacks are called on a separate audio thread by
:class:`FakeStream`, exactly one block at a time, as PortAudio calls them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from roomkit_local_audio import LocalAudioBackend
from roomkit_local_audio.testing import FakeStreamFactory
from roomkit_local_audio.testing import wait_until as until

from roomkit.errors import AudioFormatError, ConfigurationError, VoiceSessionError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import AudioChunk, VoiceSession
from roomkit.voice.pcm import rms, silence, tone
from roomkit.voice.wav import decode_wav

pytestmark = pytest.mark.asyncio


class Inbox:
    def __init__(self, backend: LocalAudioBackend) -> None:
        self.frames: list[tuple[str, AudioFrame]] = []
        self.threads: set[str] = set()
        backend.on_audio_received(self.received)

    def received(self, session: VoiceSession, frame: AudioFrame) -> None:
        self.frames.append((session.id, frame))
        self.threads.add(threading.current_thread().name)

    def data(self, session: VoiceSession) -> bytes:
        return b"".join(f.data for sid, f in self.frames if sid == session.id)


async def open_session(backend: LocalAudioBackend, who: str = "dev") -> VoiceSession:
    session = await backend.connect("room", who, "voice")
    await backend.start_listening(session)
    return session


async def test_wav_through_the_microphone_arrives_as_exact_20ms_frames(
    backend: LocalAudioBackend, factory: FakeStreamFactory, wav_file: Path
) -> None:
    pcm = decode_wav(await asyncio.to_thread(wav_file.read_bytes)).data
    inbox = Inbox(backend)
    session = await open_session(backend)
    (mic,) = factory.of_kind("input")
    assert (mic.samplerate, mic.blocksize, mic.channels, mic.device) == (16000, 320, 1, None)
    # PortAudio may hand over blocks of any size: feed uneven pieces, the backend re-blocks
    await asyncio.to_thread(mic.feed, pcm[:1000])
    await asyncio.to_thread(mic.feed, pcm[1000:])
    await until(lambda: len(inbox.data(session)) == len(pcm), "every captured byte delivered")
    assert inbox.data(session) == pcm
    frames = [f for _, f in inbox.frames]
    assert len(frames) == 40  # 800 ms
    assert all(f.num_samples == 320 and f.sample_rate == 16000 for f in frames)
    assert [f.timestamp_ms for f in frames] == [20.0 * n for n in range(40)]
    assert mic.callback_threads
    assert threading.current_thread().name not in mic.callback_threads
    assert inbox.threads == {threading.current_thread().name}  # delivered on the event loop


async def test_bytes_play_on_the_speaker_and_send_audio_waits_for_the_device(
    backend: LocalAudioBackend, factory: FakeStreamFactory
) -> None:
    session = await backend.connect("room", "dev", "voice")
    pcm = tone(440, 100, 24000)  # 5 blocks of 480 samples
    playing = asyncio.create_task(backend.send_audio(session, pcm))
    await until(lambda: factory.of_kind("output"), "speaker opened")
    (speaker,) = factory.of_kind("output")
    assert (speaker.samplerate, speaker.blocksize) == (24000, 480)
    await until(lambda: backend.stats(session)["bytes_buffered"] == len(pcm), "queued")
    assert backend.is_playing(session)
    played = b""
    for _ in range(4):
        played += await asyncio.to_thread(speaker.pull)
        assert not playing.done()
    played += await asyncio.to_thread(speaker.pull, 2)
    await asyncio.wait_for(playing, 10)
    assert played == pcm + silence(20, 24000)  # padded with silence once the buffer ran dry
    assert not backend.is_playing(session)
    assert backend.stats(session)["bytes_played"] == len(pcm)


async def test_chunks_at_another_rate_are_resampled_to_the_speaker_rate(
    backend: LocalAudioBackend, factory: FakeStreamFactory
) -> None:
    session = await backend.connect("room", "dev", "voice")

    async def tts() -> AsyncIterator[AudioChunk]:
        for _ in range(10):
            yield AudioChunk(tone(300, 20, 16000), 16000)

    playing = asyncio.create_task(backend.send_audio(session, tts()))
    await until(lambda: factory.of_kind("output"), "speaker opened")
    (speaker,) = factory.of_kind("output")
    while not playing.done():
        await asyncio.to_thread(speaker.pull)
        await asyncio.sleep(0)
    await playing
    # 200 ms at 16 kHz became 200 ms at 24 kHz (4800 samples, less the one sample the
    # streaming linear resampler holds back for interpolation), not 3200 samples
    assert 4799 * 2 <= backend.stats(session)["bytes_played"] <= 4800 * 2
    assert rms(bytes(speaker.played[:9600])) > 1000


async def test_bad_outbound_audio_is_a_typed_error(backend: LocalAudioBackend) -> None:
    session = await backend.connect("room", "dev", "voice")
    with pytest.raises(AudioFormatError, match="whole number of 16-bit samples"):
        await backend.send_audio(session, b"\x01\x02\x03")

    async def mp3() -> AsyncIterator[AudioChunk]:
        yield AudioChunk(b"ID3...", 24000, format="mp3")

    with pytest.raises(AudioFormatError, match="PCM16 only"):
        await backend.send_audio(session, mp3())
    assert not backend.is_playing(session)


async def test_barge_in_cuts_playback_mid_utterance(
    backend: LocalAudioBackend, factory: FakeStreamFactory
) -> None:
    session = await backend.connect("room", "dev", "voice")
    pcm = tone(440, 1000, 24000)
    playing = asyncio.create_task(backend.send_audio(session, pcm))
    await until(lambda: backend.stats(session)["bytes_buffered"] > 0, "queued")
    (speaker,) = factory.of_kind("output")
    heard = await asyncio.to_thread(speaker.pull, 5)
    assert heard == pcm[: len(heard)]
    assert await backend.cancel_audio(session) is True
    await asyncio.wait_for(playing, 10)  # send_audio returns at once, without error
    assert not backend.is_playing(session)
    assert await asyncio.to_thread(speaker.pull, 3) == silence(60, 24000)
    assert backend.stats(session)["bytes_played"] == len(heard)
    assert await backend.cancel_audio(session) is False  # nothing left to cut


async def test_cancelling_the_sending_task_flushes_the_speaker(
    backend: LocalAudioBackend, factory: FakeStreamFactory
) -> None:
    """What VoiceChannel does on barge-in: cancel the task awaiting send_audio."""
    session = await backend.connect("room", "dev", "voice")
    playing = asyncio.create_task(backend.send_audio(session, tone(440, 500, 24000)))
    await until(lambda: backend.stats(session)["bytes_buffered"] > 0, "queued")
    (speaker,) = factory.of_kind("output")
    await asyncio.to_thread(speaker.pull)
    playing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await playing
    assert backend.stats(session)["bytes_buffered"] == 0
    assert await asyncio.to_thread(speaker.pull) == silence(20, 24000)


async def test_playback_buffer_is_bounded_and_applies_backpressure(
    factory: FakeStreamFactory,
) -> None:
    backend = LocalAudioBackend(
        output_sample_rate=16000, max_playback_ms=100, stream_factory=factory
    )
    try:
        session = await backend.connect("room", "dev", "voice")
        pcm = tone(440, 1000, 16000)
        playing = asyncio.create_task(backend.send_audio(session, pcm))
        bound = 16000 * 100 // 1000 * 2
        await until(lambda: backend.stats(session)["bytes_buffered"] == bound, "buffer full")
        (speaker,) = factory.of_kind("output")
        played = b""
        while not playing.done():
            assert backend.stats(session)["bytes_buffered"] <= bound
            played += await asyncio.to_thread(speaker.pull)
            await asyncio.sleep(0)
        await playing
        assert played[: len(pcm)] == pcm
    finally:
        await backend.close()


async def test_capture_queue_is_bounded_oldest_frames_dropped(
    factory: FakeStreamFactory,
) -> None:
    backend = LocalAudioBackend(max_queued_frames=3, stream_factory=factory)
    try:
        entered, release = asyncio.Event(), asyncio.Event()
        delivered: list[bytes] = []

        async def slow(session: VoiceSession, frame: AudioFrame) -> None:
            delivered.append(frame.data)
            entered.set()
            await release.wait()

        backend.on_audio_received(slow)
        session = await open_session(backend)
        (mic,) = factory.of_kind("input")
        frames = [bytes([n]) * 640 for n in range(10)]
        await asyncio.to_thread(mic.feed, frames[0])
        await asyncio.wait_for(entered.wait(), 10)  # RoomKit is now busy with frame 0
        await asyncio.to_thread(mic.feed, b"".join(frames[1:]))
        await until(lambda: backend.stats(session)["frames_dropped"] == 6, "6 dropped")
        release.set()
        await until(lambda: len(delivered) == 4, "4 delivered")
        assert delivered == [frames[0], *frames[7:]]
    finally:
        await backend.close()


async def test_mute_drops_audio_where_it_is_captured(
    backend: LocalAudioBackend, factory: FakeStreamFactory
) -> None:
    inbox = Inbox(backend)
    session = await open_session(backend)
    (mic,) = factory.of_kind("input")
    backend.set_input_muted(session, True)
    await asyncio.to_thread(mic.feed, tone(440, 100, 16000))
    backend.set_input_muted(session, False)  # before the loop ran: still dropped
    await asyncio.to_thread(mic.feed, tone(880, 20, 16000))
    await until(lambda: inbox.frames, "marker delivered")
    await asyncio.sleep(0)
    assert len(inbox.frames) == 1
    assert backend.stats(session)["blocks_suppressed"] == 5


async def test_half_duplex_ignores_the_mic_while_the_speaker_plays(
    factory: FakeStreamFactory,
) -> None:
    backend = LocalAudioBackend(stream_factory=factory)  # mute_mic_during_playback=True
    try:
        inbox = Inbox(backend)
        session = await open_session(backend)
        playing = asyncio.create_task(backend.send_audio(session, tone(440, 200, 24000)))
        await until(lambda: backend.is_playing(session), "playing")
        (mic,) = factory.of_kind("input")
        await asyncio.to_thread(mic.feed, tone(300, 100, 16000))  # the speaker's echo
        assert backend.stats(session)["blocks_suppressed"] == 5
        await backend.cancel_audio(session)
        await playing
        await asyncio.to_thread(mic.feed, tone(300, 40, 16000))
        await until(lambda: len(inbox.frames) == 2, "speech after playback delivered")
    finally:
        await backend.close()


async def test_two_sessions_have_their_own_streams_and_buffers(
    backend: LocalAudioBackend, factory: FakeStreamFactory
) -> None:
    inbox = Inbox(backend)
    first, second = await open_session(backend, "a"), await open_session(backend, "b")
    mic_a, mic_b = factory.of_kind("input")
    await asyncio.to_thread(mic_b.feed, tone(600, 40, 16000))
    await until(lambda: len(inbox.frames) == 2, "b's frames")
    assert {sid for sid, _ in inbox.frames} == {second.id}
    playing = [
        asyncio.create_task(backend.send_audio(s, tone(440, 200, 24000))) for s in (first, second)
    ]
    await until(lambda: len(factory.of_kind("output")) == 2, "two speakers")
    await until(lambda: backend.is_playing(first) and backend.is_playing(second), "both play")
    assert await backend.cancel_audio(first)
    assert backend.is_playing(second)
    assert not backend.is_playing(first)
    await asyncio.wait_for(playing[0], 10)
    assert not playing[1].done()
    await backend.cancel_audio(second)
    await asyncio.wait_for(playing[1], 10)
    assert mic_a.callback_threads.isdisjoint(mic_b.callback_threads)


async def test_settings_a_sound_card_cannot_take_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="not a sound card rate"):
        LocalAudioBackend(input_sample_rate=12345)
    with pytest.raises(ConfigurationError, match="whole number of samples at 22050 Hz"):
        LocalAudioBackend(output_sample_rate=22050, block_duration_ms=25)
    with pytest.raises(ConfigurationError, match="channels must be 1 or 2"):
        LocalAudioBackend(channels=6)
    with pytest.raises(ConfigurationError, match="max_playback_ms"):
        LocalAudioBackend(max_playback_ms=10)


async def test_a_dead_session_refuses_audio(backend: LocalAudioBackend) -> None:
    session = await open_session(backend)
    await backend.disconnect(session)
    with pytest.raises(VoiceSessionError):
        await backend.send_audio(session, silence(20, 24000))
    with pytest.raises(VoiceSessionError):
        await backend.start_listening(session)
