"""What every scripted mock stage shares: a call record that spans its per-session instances.

The pipeline never feeds the stage object a test built (the template); it feeds one instance
per session. The mocks link those instances back to the template so a test reads everything
from the object it created: ``frames`` (the most recent frames, all sessions, in order),
``reset_count``, and ``sessions`` (session id -> that session's instance).
Scripted mocks answer from a list, one entry per call; each per-session instance replays the
script from the start, and :meth:`reset` restarts it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Self

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.stage import AudioStage

__all__ = ["MockStage"]

#: Frames each mock keeps (the oldest are dropped, so hour-long tests stay bounded).
KEEP_FRAMES = 10_000


class MockStage(AudioStage):
    """Mixin base of the mock stages (see the module docstring)."""

    #: Names of extra record attributes the per-session instances share with the template.
    shared_records: ClassVar[tuple[str, ...]] = ()

    frames: deque[AudioFrame]
    sessions: dict[str, Any]
    reset_count: int
    closed: bool
    _root: MockStage

    _script: list[Any]
    _index: int
    #: Appends a frame to the shared ``frames`` record.
    _record: Callable[[AudioFrame], None]

    def _init_record(self, script: Sequence[Any] = ()) -> None:
        self._script = list(script)
        self._index = 0
        self.frames = deque(maxlen=KEEP_FRAMES)
        self.sessions = {}
        self.reset_count = 0
        self.closed = False
        self._root = self
        self._record = self.frames.append

    def for_session(self, session: Any) -> Self:
        instance = super().for_session(session)
        root = self._root
        instance.frames = root.frames
        instance._record = root.frames.append
        instance._root = root
        for attr in self.shared_records:
            setattr(instance, attr, getattr(root, attr))
        root.sessions[str(getattr(session, "id", session))] = instance
        return instance

    def _next(self, default: Any = None) -> Any:
        """The next scripted answer of this session's instance (``default`` once exhausted)."""
        index = self._index
        script = self._script
        if index < len(script):
            self._index = index + 1
            return script[index]
        return default

    def reset(self) -> None:
        self._root.reset_count += 1
        self._index = 0

    def close(self) -> None:
        self.closed = True
