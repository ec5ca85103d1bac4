"""LocalAudioBackend: talk to a room from this machine's microphone and speaker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from roomkit.errors import AudioFormatError, ConfigurationError, VoiceSessionError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.backends.base import VoiceBackend
from roomkit.voice.base import AudioChunk, VoiceCapability, VoiceSession
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit.voice.pipeline.resampler import LinearResamplerProvider, ResamplerProvider
from roomkit.voice.stage import bind_stage
from roomkit_local_audio.capture import Capture
from roomkit_local_audio.devices import (
    AudioStream,
    StreamFactory,
    StreamKind,
    resolve_device,
    sounddevice_stream_factory,
)
from roomkit_local_audio.errors import AudioDeviceError
from roomkit_local_audio.playback import Playback

__all__ = ["LocalAudioBackend"]

logger = logging.getLogger("roomkit.voice.local_audio")

#: Sample rates a sound card is asked for (Hz).
SAMPLE_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000)


@dataclass
class _Live:
    """The per-session audio state: streams, capture queue, playback buffer, resampler."""

    session: VoiceSession
    playback: Playback
    resampler: ResamplerProvider
    capture: Capture | None = None
    input_stream: AudioStream | None = None
    output_stream: AudioStream | None = None
    pump: asyncio.Task[None] | None = None
    closing: bool = False
    captured_samples: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


class LocalAudioBackend(VoiceBackend):
    """A :class:`~roomkit.voice.backends.base.VoiceBackend` on the local sound card
    (sounddevice / PortAudio), so a developer can talk to a room's agents from a laptop.

    :meth:`connect` opens a session, :meth:`start_listening` opens the microphone: every
    ``block_duration_ms`` of captured audio is delivered to ``on_audio_received`` as one
    :class:`~roomkit.voice.audio_frame.AudioFrame` at ``input_sample_rate``.
    :meth:`send_audio` plays PCM16 on the speaker at ``output_sample_rate`` (bytes are taken
    to be at that rate; chunks at another rate or channel count go through a per-session
    copy of ``resampler``) and returns once the audio was handed to the device;
    :meth:`cancel_audio` / :meth:`interrupt` cut playback at once (barge-in).

    Args:
        input_sample_rate: Microphone rate (Hz).
        output_sample_rate: Speaker rate (Hz).
        channels: Channels captured and played (1 or 2).
        block_duration_ms: Length of one captured frame and one device block (ms); the block
            must be a whole number of samples at both rates.
        input_device / output_device: PortAudio device index or part of its name (``None``:
            the system default). Checked against sounddevice's device list when opened.
        mute_mic_during_playback: Half-duplex: discard microphone audio while the speaker
            plays, so laptop speakers do not make the agent hear itself (turn it off with
            headphones to allow barge-in).
        resampler: Template of the outbound resampler (default: the kernel's linear one;
            ``roomkit-audio``'s soxr resampler sounds better).
        max_queued_frames: Captured frames kept while RoomKit is busy; older ones are dropped.
        max_playback_ms: Audio buffered ahead of the speaker; ``send_audio`` waits for room.
        stream_factory: Opens the PortAudio streams (default: sounddevice's
            ``RawInputStream`` / ``RawOutputStream``); tests inject fake streams here.

    Device failures raise :class:`~roomkit_local_audio.errors.AudioDeviceError`; a device
    that stops mid-session ends the session and fires ``on_client_disconnected``.
    """

    def __init__(
        self,
        *,
        input_sample_rate: int = 16000,
        output_sample_rate: int = 24000,
        channels: int = 1,
        block_duration_ms: int = 20,
        input_device: int | str | None = None,
        output_device: int | str | None = None,
        mute_mic_during_playback: bool = True,
        resampler: ResamplerProvider | None = None,
        max_queued_frames: int = 50,
        max_playback_ms: int = 2000,
        stream_factory: StreamFactory | None = None,
    ) -> None:
        super().__init__()
        if type(block_duration_ms) is not int or not 5 <= block_duration_ms <= 200:
            raise ConfigurationError(
                f"block_duration_ms must be an int from 5 to 200, got {block_duration_ms!r}"
            )
        for what, rate in (("input", input_sample_rate), ("output", output_sample_rate)):
            if rate not in SAMPLE_RATES:
                raise ConfigurationError(
                    f"{what}_sample_rate={rate!r} is not a sound card rate; use one of "
                    f"{', '.join(map(str, SAMPLE_RATES))}"
                )
            if rate * block_duration_ms % 1000:
                raise ConfigurationError(
                    f"block_duration_ms={block_duration_ms} is not a whole number of samples "
                    f"at {rate} Hz; pick a multiple of {1000 // _gcd(rate, 1000)} ms"
                )
        if channels not in (1, 2):
            raise ConfigurationError(f"channels must be 1 or 2, got {channels!r}")
        if type(max_queued_frames) is not int or max_queued_frames < 1:
            raise ConfigurationError(f"max_queued_frames must be >= 1, got {max_queued_frames!r}")
        if type(max_playback_ms) is not int or max_playback_ms < block_duration_ms:
            raise ConfigurationError(
                f"max_playback_ms must be an int of at least block_duration_ms "
                f"({block_duration_ms}), got {max_playback_ms!r}"
            )
        self._input_rate = input_sample_rate
        self._output_rate = output_sample_rate
        self._channels = channels
        self._block_ms = block_duration_ms
        self._input_device = input_device
        self._output_device = output_device
        self._half_duplex = mute_mic_during_playback
        self._resampler = resampler if resampler is not None else LinearResamplerProvider()
        self._max_frames = max_queued_frames
        self._max_playback_ms = max_playback_ms
        self._factory: StreamFactory = (
            stream_factory if stream_factory is not None else sounddevice_stream_factory
        )
        self._live: dict[str, _Live] = {}

    # -- what the backend is ----------------------------------------------------------------

    @property
    def name(self) -> str:
        return "LocalAudioBackend"

    @property
    def capabilities(self) -> VoiceCapability:
        """Playback can be interrupted (barge-in cuts the speaker buffer)."""
        return VoiceCapability.INTERRUPTION

    @property
    def input_sample_rate(self) -> int:
        """Rate of the captured frames (Hz)."""
        return self._input_rate

    @property
    def output_sample_rate(self) -> int:
        """Rate the speaker plays at (Hz)."""
        return self._output_rate

    def stats(self, session: VoiceSession) -> dict[str, int]:
        """Counters of a live session: frames dropped, blocks suppressed, xruns, bytes played."""
        live = self._require(session)
        capture, playback = live.capture, live.playback
        return {
            "frames_dropped": capture.dropped if capture else 0,
            "blocks_suppressed": capture.suppressed_blocks if capture else 0,
            "input_xruns": capture.xruns if capture else 0,
            "output_xruns": playback.xruns,
            "bytes_played": playback.played_bytes,
            "bytes_buffered": playback.buffered,
        }

    # -- sessions ---------------------------------------------------------------------------

    async def connect(
        self,
        room_id: str,
        participant_id: str,
        channel_id: str,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> VoiceSession:
        """Open a session; the microphone opens with :meth:`start_listening`, the speaker on
        the first :meth:`send_audio`."""
        session = VoiceSession.new(room_id, participant_id, channel_id, metadata=metadata)
        loop = asyncio.get_running_loop()
        playback = Playback(
            loop,
            max_bytes=self._bytes(self._output_rate, self._max_playback_ms),
            sample_bytes=SAMPLE_WIDTH * self._channels,
        )
        resampler = bind_stage(self._resampler, session)
        if not isinstance(resampler, ResamplerProvider):
            raise ConfigurationError(
                f"resampler.for_session() returned a {type(resampler).__name__}, "
                "not a ResamplerProvider"
            )
        self._live[session.id] = _Live(session, playback, resampler)
        self.track_session(session)
        await self.deliver_session_ready(session)
        return session

    async def start_listening(self, session: VoiceSession) -> None:
        """Open the microphone for ``session`` (no-op when it is already open)."""
        live = self._require(session)
        if live.capture is not None:
            return
        device = self._resolve(self._input_device, "input")
        capture = Capture(
            asyncio.get_running_loop(),
            frame_bytes=self._bytes(self._input_rate, self._block_ms),
            max_frames=self._max_frames,
            suppressed=lambda: self._suppressed(live),
        )
        stream = self._open(live, "input", self._input_rate, device, capture.callback)
        live.capture, live.input_stream = capture, stream
        live.pump = asyncio.get_running_loop().create_task(self._pump(live, capture))

    async def stop_listening(self, session: VoiceSession) -> None:
        """Close the microphone of ``session`` (it stays connected)."""
        live = self._live.get(session.id)
        if live is not None:
            await self._close_input(live)

    async def disconnect(self, session: VoiceSession) -> None:
        """Close the session's streams and end it (idempotent)."""
        live = self._live.pop(session.id, None)
        if live is not None:
            await self._shutdown(live)
        self.untrack_session(session)

    # -- playback ---------------------------------------------------------------------------

    async def send_audio(
        self, session: VoiceSession, audio: bytes | AsyncIterator[AudioChunk]
    ) -> None:
        """Play PCM16 (bytes at ``output_sample_rate``, or a stream of chunks) and return when
        it was handed to the device, or as soon as playback is cancelled."""
        live = self._require(session)
        if isinstance(audio, bytes | bytearray):
            AudioFrame(bytes(audio), self._output_rate, self._channels)  # typed format check
        playback = live.playback
        generation = playback.begin()
        try:
            self._ensure_output(live)
            if isinstance(audio, bytes | bytearray):
                await playback.write(bytes(audio), generation)
            else:
                await self._play_stream(live, audio, generation)
            await playback.drain(generation)
        except asyncio.CancelledError:
            if generation == playback.generation:
                playback.cancel()
            raise
        finally:
            playback.end(generation)

    async def _play_stream(
        self, live: _Live, chunks: AsyncIterator[AudioChunk], generation: int
    ) -> None:
        playback, resampler = live.playback, live.resampler
        try:
            async for chunk in chunks:
                if generation != playback.generation:
                    return
                data = self._to_device(live, chunk)
                if data and not await playback.write(data, generation):
                    return
            tail = resampler.flush(self._output_rate, self._channels, SAMPLE_WIDTH)
            if tail is not None and tail.data:
                await playback.write(tail.data, generation)
        finally:
            resampler.reset()
            close = getattr(chunks, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    def _to_device(self, live: _Live, chunk: AudioChunk) -> bytes:
        if not isinstance(chunk, AudioChunk):
            raise AudioFormatError(
                f"send_audio streams must yield AudioChunk, got {type(chunk).__name__}"
            )
        if not chunk.is_pcm:
            raise AudioFormatError(
                f"LocalAudioBackend plays PCM16 only, got a {chunk.format!r} chunk; decode it "
                "first (or use a TTS provider producing pcm_s16le)"
            )
        if chunk.sample_rate == self._output_rate and chunk.channels == self._channels:
            return chunk.data
        frame = AudioFrame(chunk.data, chunk.sample_rate, chunk.channels)
        converted = live.resampler.resample(frame, self._output_rate, self._channels, SAMPLE_WIDTH)
        if converted.sample_rate != self._output_rate or converted.channels != self._channels:
            raise AudioFormatError(
                f"{live.resampler.name} returned {converted.sample_rate} Hz x "
                f"{converted.channels} for a {self._output_rate} Hz x {self._channels} target"
            )
        return converted.data

    async def cancel_audio(self, session: VoiceSession) -> bool:
        """Stop playback now (queued audio is dropped); True if something was playing."""
        live = self._live.get(session.id)
        if live is None:
            return False
        return live.playback.cancel()

    def interrupt(self, session: VoiceSession) -> None:
        """Flush queued speaker audio (barge-in)."""
        live = self._live.get(session.id)
        if live is not None:
            live.playback.cancel()

    def is_playing(self, session: VoiceSession) -> bool:
        """Whether audio is queued for, or being written to, the speaker."""
        live = self._live.get(session.id)
        return live is not None and live.playback.active()

    # -- internals --------------------------------------------------------------------------

    def _require(self, session: VoiceSession) -> _Live:
        self.require_session(session)
        live = self._live.get(session.id)
        if live is None or live.closing:
            raise VoiceSessionError(f"voice session {session.id!r} has ended on {self.name}")
        return live

    def _bytes(self, rate: int, ms: int) -> int:
        return rate * ms // 1000 * SAMPLE_WIDTH * self._channels

    def _suppressed(self, live: _Live) -> bool:
        sid = live.session.id
        registry = self._registry
        if sid in registry.muted or sid in registry.gated:
            return True
        return self._half_duplex and live.playback.active()

    def _resolve(self, device: int | str | None, kind: StreamKind) -> int | None:
        return resolve_device(device, kind, self._channels)

    def _open(
        self, live: _Live, kind: StreamKind, rate: int, device: int | None, callback: Any
    ) -> AudioStream:
        """Open and start one stream (synchronous, so no other task sees a half-set state)."""
        blocksize = rate * self._block_ms // 1000
        loop = asyncio.get_running_loop()
        opened: list[AudioStream] = []

        def finished() -> None:  # audio thread: the stream stopped
            if opened:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._stream_finished, live, kind, opened[0])

        where = f"the {kind} device {device if device is not None else '(system default)'}"
        try:
            stream = self._factory(
                kind,
                samplerate=rate,
                blocksize=blocksize,
                channels=self._channels,
                device=device,
                callback=callback,
                finished_callback=finished,
            )
        except AudioDeviceError:
            raise
        except Exception as exc:
            raise AudioDeviceError(
                f"cannot open {where} at {rate} Hz x {self._channels} channel(s): {exc}; "
                f"choose another {kind}_device or {kind}_sample_rate"
            ) from exc
        opened.append(stream)
        try:
            stream.start()
        except Exception as exc:
            opened.clear()
            with contextlib.suppress(Exception):
                stream.close()
            raise AudioDeviceError(f"cannot start {where}: {exc}") from exc
        return stream

    def _ensure_output(self, live: _Live) -> None:
        if live.output_stream is None:
            device = self._resolve(self._output_device, "output")
            callback = live.playback.callback
            live.output_stream = self._open(live, "output", self._output_rate, device, callback)

    async def _pump(self, live: _Live, capture: Capture) -> None:
        rate, channels = self._input_rate, self._channels
        while not capture.closed:
            data = capture.take()
            if data is None:
                await capture.ready.wait()
                continue
            position = live.captured_samples * 1000.0 / rate
            live.captured_samples += len(data) // (SAMPLE_WIDTH * channels)
            frame = AudioFrame(data, rate, channels, SAMPLE_WIDTH, position)
            await self.deliver_audio(live.session, frame)

    def _stream_finished(self, live: _Live, kind: StreamKind, stream: AudioStream) -> None:
        session = live.session
        if live.closing or self._live.get(session.id) is not live:
            return
        current = live.input_stream if kind == "input" else live.output_stream
        if current is not stream:
            return  # a stream we closed ourselves (stop_listening) or replaced
        logger.warning("%s: the %s device stopped; ending session %s", self.name, kind, session.id)
        session.metadata["local_audio_error"] = f"the {kind} device stopped"
        task = asyncio.get_running_loop().create_task(self._device_lost(session))
        live.tasks.add(task)
        task.add_done_callback(live.tasks.discard)

    async def _device_lost(self, session: VoiceSession) -> None:
        await self.disconnect(session)
        await self.deliver_disconnected(session)

    async def _close_input(self, live: _Live) -> None:
        capture, stream, pump = live.capture, live.input_stream, live.pump
        live.capture = live.input_stream = live.pump = None
        if capture is not None:
            capture.close()
        if stream is not None:
            await _close_stream(stream)
        if pump is not None and pump is not asyncio.current_task():
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump

    async def _shutdown(self, live: _Live) -> None:
        live.closing = True
        live.playback.cancel()
        await self._close_input(live)
        stream, live.output_stream = live.output_stream, None
        if stream is not None:
            await _close_stream(stream)
        live.resampler.close()


async def _close_stream(stream: AudioStream) -> None:
    try:
        await asyncio.to_thread(stream.close)
    except Exception:
        logger.exception("LocalAudioBackend: closing a stream failed")


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a
