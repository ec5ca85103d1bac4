"""Fake PortAudio streams a test drives, and the conformance harness built on them.

A machine without a sound card cannot open real streams, so tests inject
:class:`FakeStreamFactory` as the backend's ``stream_factory``. Its streams behave like
sounddevice raw streams where the backend can tell: callbacks run on a separate audio
thread (one per stream, one callback at a time), ``indata`` / ``outdata`` are buffers of
exactly one block, ``close()`` fires ``finished_callback``. The test decides what the
microphone hears (:meth:`FakeStream.feed`) and when the speaker consumes a block
(:meth:`FakeStream.pull`, or ``autoplay`` paced faster than real time).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from roomkit.errors import VoiceSessionError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceSession
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit_local_audio.backend import LocalAudioBackend
from roomkit_local_audio.devices import StreamCallback, StreamKind

if TYPE_CHECKING:
    from roomkit_conformance.suites.voice_backend import BackendHarness

__all__ = ["FakeStream", "FakeStreamFactory", "local_audio_harness", "wait_until"]


class FakeStream:
    """One fake PortAudio stream (input or output)."""

    def __init__(
        self,
        kind: StreamKind,
        *,
        samplerate: int,
        blocksize: int,
        channels: int,
        device: int | None,
        callback: StreamCallback,
        finished_callback: Callable[[], None],
        autoplay: bool = False,
        speed: float = 10.0,
    ) -> None:
        self.kind = kind
        self.samplerate = samplerate
        self.blocksize = blocksize
        self.channels = channels
        self.device = device
        self._callback = callback
        self._finished = finished_callback
        self.block_bytes = blocksize * channels * SAMPLE_WIDTH
        self._audio_thread = ThreadPoolExecutor(1, thread_name_prefix=f"fake-portaudio-{kind}")
        self._autoplay = autoplay and kind == "output"
        self._interval = blocksize / samplerate / speed
        self._stop = threading.Event()
        self._player: threading.Thread | None = None
        self.started = False
        self.closed = False
        #: everything the output callback wrote (silence padding included)
        self.played = bytearray()
        #: thread names the callbacks ran on
        self.callback_threads: set[str] = set()

    # -- the sounddevice surface the backend uses ------------------------------------------

    def start(self) -> None:
        """Start the stream (with ``autoplay``, a thread pulls output blocks)."""
        if self.closed:
            raise RuntimeError("fake stream is closed")
        self.started = True
        if self._autoplay:
            self._player = threading.Thread(target=self._play_loop, daemon=True)
            self._player.start()

    def close(self, ignore_errors: bool = True) -> None:
        """Stop and release; fires ``finished_callback`` like PortAudio does (once)."""
        if not self.closed:
            self._halt()
        if self._player is not None and self._player is not threading.current_thread():
            self._player.join()
        self._audio_thread.shutdown(wait=True)

    # -- what the test does ----------------------------------------------------------------

    def feed(self, pcm: bytes, *, status: Any = None) -> None:
        """The microphone hears ``pcm``: one input callback per block (a short last block is
        passed as is), each run on the audio thread; returns when all have run."""
        self._check("input")
        step = self.block_bytes
        for offset in range(0, len(pcm), step):
            block = pcm[offset : offset + step]
            frames = len(block) // (self.channels * SAMPLE_WIDTH)
            self._audio_thread.submit(self._run, block, frames, status).result()

    def pull(self, blocks: int = 1, *, status: Any = None) -> bytes:
        """The speaker consumes ``blocks`` blocks; returns the bytes the callback wrote."""
        self._check("output")
        out = bytearray()
        for _ in range(blocks):
            buffer = bytearray(self.block_bytes)
            self._audio_thread.submit(self._run, buffer, self.blocksize, status).result()
            out += buffer
        self.played += out
        return bytes(out)

    def fail(self) -> None:
        """The device goes away: the stream stops by itself and ``finished_callback`` fires."""
        self._halt()

    # -- internals -------------------------------------------------------------------------

    def _halt(self) -> None:
        self.closed = True
        self._stop.set()
        self._audio_thread.submit(self._finished).result()

    def _check(self, kind: StreamKind) -> None:
        if self.kind != kind:
            raise RuntimeError(f"this is an {self.kind} stream")
        if self.closed or not self.started:
            raise RuntimeError(f"fake {self.kind} stream is {'closed' if self.closed else 'idle'}")

    def _run(self, buffer: Any, frames: int, status: Any) -> None:
        self.callback_threads.add(threading.current_thread().name)
        self._callback(buffer, frames, None, status)

    def _play_loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.pull()
            except RuntimeError:  # closed meanwhile
                return


class FakeStreamFactory:
    """A ``stream_factory`` for :class:`LocalAudioBackend` returning :class:`FakeStream`.

    ``autoplay``: output streams consume blocks by themselves, ``speed`` times faster than
    real time. :meth:`refuse` makes the next open of a kind raise (a device error).
    """

    def __init__(self, *, autoplay: bool = False, speed: float = 10.0) -> None:
        self.autoplay = autoplay
        self.speed = speed
        self.streams: list[FakeStream] = []
        self._refusals: dict[StreamKind, BaseException] = {}

    def refuse(self, kind: StreamKind, error: BaseException) -> None:
        """Make the next open of a ``kind`` stream raise ``error``."""
        self._refusals[kind] = error

    def __call__(
        self,
        kind: StreamKind,
        *,
        samplerate: int,
        blocksize: int,
        channels: int,
        device: int | None,
        callback: StreamCallback,
        finished_callback: Callable[[], None],
    ) -> FakeStream:
        error = self._refusals.pop(kind, None)
        if error is not None:
            raise error
        stream = FakeStream(
            kind,
            samplerate=samplerate,
            blocksize=blocksize,
            channels=channels,
            device=device,
            callback=callback,
            finished_callback=finished_callback,
            autoplay=self.autoplay,
            speed=self.speed,
        )
        self.streams.append(stream)
        return stream

    def of_kind(self, kind: StreamKind) -> list[FakeStream]:
        """The streams of one kind, oldest first."""
        return [s for s in self.streams if s.kind == kind]


@asynccontextmanager
async def local_audio_harness(**options: Any) -> AsyncIterator[BackendHarness]:
    """The voice-backend conformance harness: a :class:`LocalAudioBackend` on fake streams
    (autoplaying speaker); a session is ``connect`` + ``start_listening``, and the remote
    side speaking is the session's microphone stream hearing the frame."""
    from roomkit_conformance.suites.voice_backend import BackendHarness

    factory = FakeStreamFactory(autoplay=True)
    backend = LocalAudioBackend(
        input_sample_rate=16000,
        output_sample_rate=16000,
        mute_mic_during_playback=False,
        stream_factory=factory,
        **options,
    )
    microphones: dict[str, FakeStream] = {}

    async def open_session() -> VoiceSession:
        session = await backend.connect("conformance-room", "developer", "voice")
        await backend.start_listening(session)
        microphones[session.id] = factory.of_kind("input")[-1]
        return session

    async def inject(session: VoiceSession, frame: AudioFrame) -> None:
        stream = microphones.get(session.id)
        if stream is None or stream.closed:
            raise VoiceSessionError(f"session {session.id!r} has no open microphone")
        await asyncio.to_thread(stream.feed, frame.data)

    try:
        yield BackendHarness(backend, inject=inject, open_session=open_session)
    finally:
        await backend.close()


async def wait_until(predicate: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    """Yield to the event loop until ``predicate()`` is true; ``TimeoutError`` naming
    ``what`` after ``timeout`` seconds (a bound for a hung test, not a timing assumption)."""
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.001)
    except TimeoutError:
        raise TimeoutError(f"gave up waiting for: {what}") from None
