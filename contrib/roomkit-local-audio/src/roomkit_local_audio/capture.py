"""Microphone capture for one session: audio-thread callback -> bounded frame queue.

PortAudio calls :meth:`Capture.callback` on its own thread; the callback copies the block and
hands it to the event loop, where it is cut into frames of exactly one block and queued. The
queue is bounded: when RoomKit falls behind, the oldest frames are dropped and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from typing import Any

__all__ = ["Capture"]


class Capture:
    """Reassembles captured PCM16 into fixed-size frames for one session.

    ``suppressed()`` is read on the audio thread for every block: while it is true (input
    muted or gated, or the speaker playing in half-duplex mode) the block is discarded where
    it was captured, so nothing captured then reaches RoomKit later.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        frame_bytes: int,
        max_frames: int,
        suppressed: Callable[[], bool],
    ) -> None:
        self._loop = loop
        self._frame_bytes = frame_bytes
        self._suppressed = suppressed
        self._pending = bytearray()
        self.frames: deque[bytes] = deque()
        self._max_frames = max_frames
        self.ready = asyncio.Event()
        #: frames dropped because the queue was full
        self.dropped = 0
        #: blocks PortAudio flagged (input overflow ...)
        self.xruns = 0
        #: blocks discarded while suppressed
        self.suppressed_blocks = 0
        self.closed = False

    def callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        """The PortAudio input callback (audio thread)."""
        if status:
            self.xruns += 1
        if self.closed:
            return
        if self._suppressed():
            self.suppressed_blocks += 1
            return
        data = bytes(indata)
        with contextlib.suppress(RuntimeError):  # the loop closed under a running stream
            self._loop.call_soon_threadsafe(self._push, data)

    def _push(self, data: bytes) -> None:
        if self.closed:
            return
        pending = self._pending
        pending += data
        size = self._frame_bytes
        while len(pending) >= size:
            if len(self.frames) >= self._max_frames:
                self.frames.popleft()
                self.dropped += 1
            self.frames.append(bytes(pending[:size]))
            del pending[:size]
        if self.frames:
            self.ready.set()

    def take(self) -> bytes | None:
        """The oldest queued frame, or ``None`` (event loop side)."""
        if not self.frames:
            self.ready.clear()
            return None
        return self.frames.popleft()

    def close(self) -> None:
        """Stop accepting audio and forget what is queued."""
        self.closed = True
        self.frames.clear()
        self._pending.clear()
        self.ready.set()
