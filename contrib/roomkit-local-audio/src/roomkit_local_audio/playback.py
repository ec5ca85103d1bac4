"""Speaker playback for one session: a bounded byte buffer drained by the audio thread.

:meth:`Playback.write` (event loop) appends PCM16 while there is room and waits for the
audio thread to make room otherwise (backpressure, never an unbounded queue);
:meth:`Playback.callback` (audio thread) copies one block per call into the device buffer
and pads with silence. :meth:`Playback.cancel` empties the buffer at once (barge-in) and
releases every waiting writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

__all__ = ["Playback"]


class Playback:
    """The outbound audio of one session."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, *, max_bytes: int, sample_bytes: int
    ) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._buffer = bytearray()
        self._max_bytes = max_bytes
        self._sample_bytes = sample_bytes
        self._space = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        #: bumped by :meth:`cancel`; a write started before a cancel stops writing
        self.generation = 0
        self._writers: dict[int, int] = {}  # generation -> send_audio calls in progress
        #: bytes handed to the device
        self.played_bytes = 0
        #: blocks PortAudio flagged (output underflow ...)
        self.xruns = 0

    @property
    def buffered(self) -> int:
        """Bytes waiting to be played."""
        return len(self._buffer)

    def active(self) -> bool:
        """Whether audio is queued, or being written by a writer no :meth:`cancel` stopped
        (read on the audio thread as well)."""
        return len(self._buffer) > 0 or self._writers.get(self.generation, 0) > 0

    def begin(self) -> int:
        """A writer starts (``send_audio``); returns the generation its writes belong to."""
        generation = self.generation
        self._writers[generation] = self._writers.get(generation, 0) + 1
        return generation

    def end(self, generation: int) -> None:
        """The writer that began in ``generation`` is done."""
        left = self._writers.get(generation, 0) - 1
        if left > 0:
            self._writers[generation] = left
        else:
            self._writers.pop(generation, None)

    def callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        """The PortAudio output callback (audio thread)."""
        if status:
            self.xruns += 1
        size = len(outdata)
        with self._lock:
            chunk = bytes(self._buffer[:size])
            del self._buffer[:size]
            empty = not self._buffer
        if chunk:
            outdata[: len(chunk)] = chunk
        if len(chunk) < size:
            outdata[len(chunk) :] = bytes(size - len(chunk))
        if chunk:
            self.played_bytes += len(chunk)
            with contextlib.suppress(RuntimeError):  # the loop closed under a running stream
                self._loop.call_soon_threadsafe(self._pulled, empty)

    def _pulled(self, empty: bool) -> None:
        self._space.set()
        if empty and not self._buffer:
            self._drained.set()

    async def write(self, data: bytes, generation: int) -> bool:
        """Queue ``data`` for the writer of ``generation``, waiting for room; False once a
        :meth:`cancel` has stopped that generation (the rest of ``data`` is dropped)."""
        view = memoryview(data)
        while view:
            if generation != self.generation:
                return False
            with self._lock:
                room = self._max_bytes - len(self._buffer)
                room -= room % self._sample_bytes
                taken = view[:room]
                if taken:
                    self._buffer += taken
                    self._drained.clear()
            view = view[len(taken) :]
            if view:
                self._space.clear()
                await self._space.wait()
        return generation == self.generation

    async def drain(self, generation: int) -> bool:
        """Wait until everything queued was handed to the device; False if cancelled."""
        if generation != self.generation:
            return False
        await self._drained.wait()
        return generation == self.generation

    def cancel(self) -> bool:
        """Drop queued audio and release writers; True if something was playing."""
        with self._lock:
            was_playing = bool(self._buffer) or self._writers.get(self.generation, 0) > 0
            self._buffer.clear()
        self.generation += 1
        self._space.set()
        self._drained.set()
        return was_playing
