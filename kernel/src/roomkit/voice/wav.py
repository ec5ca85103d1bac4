"""WAV and ``data:`` URL helpers (stdlib ``wave``), so batch TTS and STT can pass audio inline
in an :class:`~roomkit.models.AudioContent`."""

from __future__ import annotations

import base64
import binascii
import io
import wave

from roomkit.errors import AudioFormatError
from roomkit.models.content import AudioContent
from roomkit.voice.audio_frame import AudioFrame
from roomkit.voice.pcm import SAMPLE_WIDTH, duration_ms

__all__ = ["audio_content_from_pcm", "decode_wav", "encode_wav", "frame_from_audio_content"]

_WAV_PREFIXES = ("data:audio/wav;base64,", "data:audio/x-wav;base64,", "data:audio/wave;base64,")


def encode_wav(pcm: bytes, sample_rate: int, channels: int = 1) -> bytes:
    """A WAV file holding PCM16 ``pcm``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def decode_wav(data: bytes) -> AudioFrame:
    """The PCM16 audio of a WAV file, as one frame."""
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            if source.getsampwidth() != SAMPLE_WIDTH:
                raise AudioFormatError(
                    f"WAV audio must be 16-bit PCM, got {8 * source.getsampwidth()}-bit"
                )
            pcm = source.readframes(source.getnframes())
            return AudioFrame(pcm, source.getframerate(), source.getnchannels())
    except (wave.Error, EOFError) as exc:
        raise AudioFormatError(f"not a readable WAV file: {exc}") from exc


def audio_content_from_pcm(
    pcm: bytes, sample_rate: int, channels: int = 1, *, transcript: str | None = None
) -> AudioContent:
    """An :class:`AudioContent` carrying ``pcm`` inline as a ``data:audio/wav`` URL."""
    url = (
        "data:audio/wav;base64," + base64.b64encode(encode_wav(pcm, sample_rate, channels)).decode()
    )
    return AudioContent(
        url=url,
        mime_type="audio/wav",
        duration_seconds=duration_ms(len(pcm), sample_rate, channels) / 1000.0,
        transcript=transcript,
    )


def frame_from_audio_content(content: AudioContent) -> AudioFrame:
    """Decode an :class:`AudioContent` whose URL is an inline ``data:audio/wav`` URL.

    Remote URLs raise :class:`~roomkit.errors.AudioFormatError`: the kernel does not fetch
    them (download the audio and pass an ``AudioFrame`` instead).
    """
    url = content.url
    for prefix in _WAV_PREFIXES:
        if url.startswith(prefix):
            try:
                raw = base64.b64decode(url[len(prefix) :], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise AudioFormatError(f"audio data URL is not valid base64: {exc}") from exc
            return decode_wav(raw)
    raise AudioFormatError(
        f"cannot read audio from {url[:40]!r}: only inline data:audio/wav;base64 URLs are "
        "decoded; fetch the audio and pass an AudioFrame"
    )
