"""A recorder that writes each session to WAV files on disk as the call goes."""

from __future__ import annotations

import os
import tempfile
import uuid
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import soxr

from roomkit.errors import AudioFormatError, VoiceSessionError
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.base import VoiceSession
from roomkit.voice.pcm import SAMPLE_WIDTH
from roomkit.voice.pipeline.recorder.base import (
    AudioRecorder,
    RecordingChannelMode,
    RecordingConfig,
    RecordingHandle,
    RecordingMode,
    RecordingResult,
)
from roomkit_audio._pcm import Int16Array, from_int16, mix_channels, to_int16

__all__ = ["WavFileRecorder"]

#: Samples read per step when the tracks are combined at stop (bounded memory).
_CHUNK = 1 << 16


@dataclass
class _Track:
    """One direction of a recording, spooled as raw mono PCM16 to a temporary file."""

    path: Path
    file: BinaryIO
    rate: int = 0
    samples: int = 0

    def append(self, values: Int16Array) -> None:
        self.file.write(from_int16(values))
        self.samples += len(values)

    def pad_to(self, samples: int) -> None:
        missing = samples - self.samples
        if missing > 0:
            self.file.write(bytes(SAMPLE_WIDTH * missing))
            self.samples = samples


@dataclass
class _Recording:
    handle: RecordingHandle
    config: RecordingConfig
    folder: Path
    inbound: _Track
    outbound: _Track
    stopped: bool = False
    results: list[str] = field(default_factory=list)


class WavFileRecorder(AudioRecorder):
    """Records a session's inbound and outbound audio to 16-bit WAV files.

    Audio is written to disk as it arrives (two raw spool files per recording, no audio held
    in memory), and the WAV files are assembled when :meth:`stop` is called, in the directory
    ``RecordingConfig.storage`` (default: ``<tmp>/roomkit-recordings``):

    * ``RecordingChannelMode.MIXED``: one mono file, both directions summed;
    * ``STEREO``: one file, caller left, agent right;
    * ``SEPARATE``: ``<id>-inbound.wav`` and ``<id>-outbound.wav``.

    Each direction is stored mono at the rate of its first frame; a direction whose rate
    differs from the inbound one is resampled with soxr when the two are combined. Agent audio
    is placed at the caller's timeline position when it is played (the agent speaks "now"),
    so the two stay aligned in time. ``RecordingMode`` selects the directions kept.
    """

    def __init__(self) -> None:
        self._recordings: dict[str, _Recording] = {}

    @property
    def name(self) -> str:
        return "WavFileRecorder"

    def start(self, session: VoiceSession, config: RecordingConfig) -> RecordingHandle:
        if config.format.lower() != "wav":
            raise AudioFormatError(
                f"WavFileRecorder writes WAV only, got RecordingConfig.format={config.format!r}"
            )
        folder = Path(config.storage or Path(tempfile.gettempdir()) / "roomkit-recordings")
        folder.mkdir(parents=True, exist_ok=True)
        rec_id = f"rec-{session.id}-{uuid.uuid4().hex[:8]}"
        handle = RecordingHandle(
            id=rec_id,
            session_id=session.id,
            started_at=datetime.now(UTC),
            path=str(folder / f"{rec_id}.wav"),
        )
        tracks = []
        for direction in ("inbound", "outbound"):
            path = folder / f".{rec_id}-{direction}.pcm"
            tracks.append(_Track(path, path.open("wb")))
        self._recordings[rec_id] = _Recording(handle, config, folder, tracks[0], tracks[1])
        return handle

    def _recording(self, handle: RecordingHandle) -> _Recording:
        recording = self._recordings.get(handle.id)
        if recording is None or recording.stopped:
            raise VoiceSessionError(
                f"recording {handle.id!r} is not active on this recorder (already stopped, or "
                "started by another session's recorder)"
            )
        return recording

    def tap_inbound(self, handle: RecordingHandle, frame: AudioFrame) -> None:
        recording = self._recording(handle)
        if recording.config.mode is RecordingMode.OUTBOUND_ONLY or not frame.data:
            return
        track = recording.inbound
        if not track.rate:
            track.rate = frame.sample_rate
        elif frame.sample_rate != track.rate:
            raise AudioFormatError(
                f"recording {handle.id}: inbound audio changed rate from {track.rate} to "
                f"{frame.sample_rate} Hz; record after the resampler"
            )
        track.append(mix_channels(to_int16(frame.data, frame.channels), 1).reshape(-1))

    def tap_outbound(self, handle: RecordingHandle, frame: AudioFrame) -> None:
        recording = self._recording(handle)
        if recording.config.mode is RecordingMode.INBOUND_ONLY or not frame.data:
            return
        track, caller = recording.outbound, recording.inbound
        if not track.rate:
            track.rate = frame.sample_rate
        elif frame.sample_rate != track.rate:
            raise AudioFormatError(
                f"recording {handle.id}: outbound audio changed rate from {track.rate} to "
                f"{frame.sample_rate} Hz"
            )
        if caller.rate:  # start the agent's audio where the caller's timeline is now
            track.pad_to(caller.samples * track.rate // caller.rate)
        track.append(mix_channels(to_int16(frame.data, frame.channels), 1).reshape(-1))

    def stop(self, handle: RecordingHandle) -> RecordingResult:
        recording = self._recording(handle)
        recording.stopped = True
        for track in (recording.inbound, recording.outbound):
            track.file.close()
        try:
            urls, seconds = self._assemble(recording)
        finally:
            for track in (recording.inbound, recording.outbound):
                track.path.unlink(missing_ok=True)
            del self._recordings[handle.id]
        handle.state = "stopped"
        size = sum(os.path.getsize(url) for url in urls)
        return RecordingResult(
            id=handle.id,
            urls=urls,
            duration_seconds=seconds,
            format="wav",
            mode=recording.config.channels,
            size_bytes=size,
            metadata={"session_id": handle.session_id},
        )

    def _assemble(self, recording: _Recording) -> tuple[list[str], float]:
        inbound, outbound = recording.inbound, recording.outbound
        rate = inbound.rate or outbound.rate or 16000
        mode = recording.config.channels
        base = recording.folder / recording.handle.id
        if mode is RecordingChannelMode.SEPARATE:
            urls, seconds = [], 0.0
            for name, track in (("inbound", inbound), ("outbound", outbound)):
                path = base.with_name(f"{base.name}-{name}.wav")
                track_rate = track.rate or rate
                with wave.open(str(path), "wb") as out:
                    _header(out, 1, track_rate)
                    for chunk in _read(track.path):
                        out.writeframes(from_int16(chunk))
                urls.append(str(path))
                seconds = max(seconds, track.samples / track_rate)
            return urls, seconds
        path = base.with_suffix(".wav")
        stereo = mode is RecordingChannelMode.STEREO
        frames = 0
        with wave.open(str(path), "wb") as out:
            _header(out, 2 if stereo else 1, rate)
            for left, right in _aligned(inbound, outbound, rate):
                if stereo:
                    out.writeframes(from_int16(np.stack((left, right), axis=1)))
                else:
                    mixed = left.astype(np.int32) + right.astype(np.int32)
                    out.writeframes(from_int16(np.clip(mixed, -32768, 32767).astype(np.int16)))
                frames += len(left)
        return [str(path)], frames / rate

    def close(self) -> None:
        for recording in list(self._recordings.values()):
            for track in (recording.inbound, recording.outbound):
                track.file.close()
                track.path.unlink(missing_ok=True)
        self._recordings.clear()


def _header(out: wave.Wave_write, channels: int, rate: int) -> None:
    out.setnchannels(channels)
    out.setsampwidth(SAMPLE_WIDTH)
    out.setframerate(rate)


def _read(path: Path) -> Iterator[Int16Array]:
    with path.open("rb") as source:
        while data := source.read(SAMPLE_WIDTH * _CHUNK):
            yield to_int16(data).reshape(-1)


def _to_pcm(values: npt.NDArray[np.floating]) -> Int16Array:
    pcm: Int16Array = np.clip(np.rint(values * 32768.0), -32768, 32767).astype(np.int16)
    return pcm


class _Reader:
    """Reads a spooled track in pieces of a chosen length, resampled to ``rate`` on the fly."""

    def __init__(self, track: _Track, rate: int) -> None:
        self._chunks = _read(track.path)
        self._buffer = np.zeros(0, dtype=np.int16)
        self._done = False
        self._stream: Any = None
        if track.rate and track.rate != rate:
            self._stream = soxr.ResampleStream(track.rate, rate, 1, dtype="float32")

    def read(self, count: int) -> Int16Array:
        while len(self._buffer) < count and not self._done:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._done = True
                if self._stream is None:
                    break
                chunk = _to_pcm(self._stream.resample_chunk(np.zeros(0, np.float32), last=True))
            elif self._stream is not None:
                scaled = (chunk / 32768.0).astype(np.float32)
                chunk = _to_pcm(self._stream.resample_chunk(scaled, last=False))
            self._buffer = np.concatenate((self._buffer, chunk))
        piece, self._buffer = self._buffer[:count], self._buffer[count:]
        return piece


def _aligned(
    inbound: _Track, outbound: _Track, rate: int
) -> Iterator[tuple[Int16Array, Int16Array]]:
    """Both directions at ``rate``, in equal-length chunks (the shorter padded with silence)."""
    caller, agent = _Reader(inbound, rate), _Reader(outbound, rate)
    while True:
        left, right = caller.read(_CHUNK), agent.read(_CHUNK)
        length = max(len(left), len(right))
        if not length:
            return
        yield np.pad(left, (0, length - len(left))), np.pad(right, (0, length - len(right)))
