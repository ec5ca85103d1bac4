"""An in-memory recorder for tests."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime

from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceSession
from roomkit.voice.pipeline.mockbase import KEEP_FRAMES, MockStage
from roomkit.voice.pipeline.recorder.base import (
    AudioRecorder,
    RecordingConfig,
    RecordingHandle,
    RecordingResult,
)

__all__ = ["MockAudioRecorder"]


class MockAudioRecorder(MockStage, AudioRecorder):
    """Keeps what it is given in lists instead of writing files.

    ``started`` holds ``(session_id, config)``, ``stopped`` the stopped handles,
    ``inbound_frames`` / ``outbound_frames`` hold ``(recording_id, frame)``. All are shared
    by the per-session instances; recording ids are unique across them.
    """

    def __init__(self) -> None:
        self._init_record()
        self.started: list[tuple[str, RecordingConfig]] = []
        self.stopped: list[RecordingHandle] = []
        self.inbound_frames: deque[tuple[str, AudioFrame]] = deque(maxlen=KEEP_FRAMES)
        self.outbound_frames: deque[tuple[str, AudioFrame]] = deque(maxlen=KEEP_FRAMES)
        self._bytes: dict[str, int] = {}
        self._next_id = 0

    @property
    def name(self) -> str:
        return "MockAudioRecorder"

    @property
    def _log(self) -> MockAudioRecorder:
        root = self._root
        assert isinstance(root, MockAudioRecorder)
        return root

    def start(self, session: VoiceSession, config: RecordingConfig) -> RecordingHandle:
        root = self._log
        root._next_id += 1
        rec_id = f"rec_{root._next_id}"
        root.started.append((session.id, config))
        root._bytes[rec_id] = 0
        return RecordingHandle(
            id=rec_id,
            session_id=session.id,
            started_at=datetime.now(UTC),
            path=f"memory://{rec_id}.wav",
        )

    def stop(self, handle: RecordingHandle) -> RecordingResult:
        root = self._log
        root.stopped.append(handle)
        handle.state = "stopped"
        size = root._bytes.pop(handle.id, 0)
        return RecordingResult(
            id=handle.id,
            urls=[handle.path],
            duration_seconds=size / 32000.0,
            size_bytes=size,
        )

    def tap_inbound(self, handle: RecordingHandle, frame: AudioFrame) -> None:
        root = self._log
        root.inbound_frames.append((handle.id, frame))
        root._bytes[handle.id] = root._bytes.get(handle.id, 0) + len(frame.data)

    def tap_outbound(self, handle: RecordingHandle, frame: AudioFrame) -> None:
        root = self._log
        root.outbound_frames.append((handle.id, frame))
        root._bytes[handle.id] = root._bytes.get(handle.id, 0) + len(frame.data)
