"""sounddevice / PortAudio: the import, the device list and the default stream factory.

Only this module imports :mod:`sounddevice`, and only when a stream is opened or a device is
looked up, so the backend (and its tests with an injected stream factory) load without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal, Protocol

from roomkit.errors import MissingDependencyError
from roomkit_local_audio.errors import AudioDeviceError

__all__ = [
    "AudioDevice",
    "AudioStream",
    "StreamCallback",
    "StreamFactory",
    "StreamKind",
    "import_sounddevice",
    "list_devices",
    "resolve_device",
    "sounddevice_stream_factory",
]

#: Which side of the sound card a stream opens.
StreamKind = Literal["input", "output"]
#: ``callback(buffer, frames, time_info, status)``, called on the audio thread per block.
StreamCallback = Callable[[Any, int, Any, Any], None]


class AudioStream(Protocol):
    """The part of a sounddevice raw stream the backend uses."""

    def start(self) -> None:
        """Start calling the callback."""

    def close(self, ignore_errors: bool = True) -> None:
        """Stop (discarding pending buffers) and release the device."""


class StreamFactory(Protocol):
    """Opens one PortAudio stream (the default: :func:`sounddevice_stream_factory`).

    Tests inject a factory returning streams they drive themselves
    (:class:`roomkit_local_audio.testing.FakeStreamFactory`).
    """

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
    ) -> AudioStream:
        """Open (not start) a 16-bit raw stream calling ``callback`` once per ``blocksize``."""
        ...


@dataclass(frozen=True, slots=True)
class AudioDevice:
    """One PortAudio device as sounddevice reports it."""

    index: int
    name: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float

    def channels(self, kind: StreamKind) -> int:
        """How many channels the device offers for ``kind``."""
        return self.max_input_channels if kind == "input" else self.max_output_channels


def import_sounddevice() -> ModuleType:
    """Import :mod:`sounddevice`, or raise :class:`~roomkit.errors.MissingDependencyError`
    saying whether the package or the PortAudio library is missing."""
    try:
        return importlib.import_module("sounddevice")
    except OSError as exc:  # sounddevice raises OSError when libportaudio is not found
        raise MissingDependencyError(
            f"sounddevice cannot load the PortAudio library ({exc}); install it "
            "(Debian/Ubuntu: apt-get install libportaudio2, macOS: brew install portaudio)"
        ) from exc
    except ImportError as exc:
        raise MissingDependencyError(
            "LocalAudioBackend needs sounddevice: pip install roomkit-local-audio"
        ) from exc


def list_devices() -> list[AudioDevice]:
    """The sound devices PortAudio sees (empty on a machine without a sound card)."""
    sd = import_sounddevice()
    try:
        found: Any = sd.query_devices()
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"PortAudio cannot list the sound devices: {exc}") from exc
    return [
        AudioDevice(
            index=int(info.get("index", position)),
            name=str(info["name"]),
            max_input_channels=int(info["max_input_channels"]),
            max_output_channels=int(info["max_output_channels"]),
            default_samplerate=float(info["default_samplerate"]),
        )
        for position, info in enumerate(found)
    ]


def resolve_device(
    device: int | str | None,
    kind: StreamKind,
    channels: int,
    devices: list[AudioDevice] | None = None,
) -> int | None:
    """The PortAudio index of ``device`` (an index, or part of a name, case-insensitive) for
    ``kind`` with at least ``channels`` channels; ``None`` stays ``None`` (the default device).

    Raises :class:`AudioDeviceError` naming the devices that would do.
    """
    if device is None:
        return None
    known = list_devices() if devices is None else devices
    usable = [d for d in known if d.channels(kind) >= channels]
    listing = ", ".join(f"{d.index}: {d.name!r}" for d in usable) or "none"
    if isinstance(device, int):
        matches = [d for d in usable if d.index == device]
    else:
        wanted = device.casefold()
        matches = [d for d in usable if wanted in d.name.casefold()]
        exact = [d for d in matches if d.name.casefold() == wanted]
        matches = exact or matches
    if len(matches) == 1:
        return matches[0].index
    what = "matches" if len(matches) > 1 else "is"
    raise AudioDeviceError(
        f"{kind} device {device!r} {what} {'ambiguous' if matches else 'not available'} "
        f"(with {channels} {kind} channel(s)); devices that would do: {listing}. "
        f"Pass another {kind}_device (an index or a unique part of a name), or None for the "
        "system default"
    )


def sounddevice_stream_factory(
    kind: StreamKind,
    *,
    samplerate: int,
    blocksize: int,
    channels: int,
    device: int | None,
    callback: StreamCallback,
    finished_callback: Callable[[], None],
) -> AudioStream:
    """Open a sounddevice ``RawInputStream`` / ``RawOutputStream`` of 16-bit samples."""
    sd = import_sounddevice()
    cls = sd.RawInputStream if kind == "input" else sd.RawOutputStream
    stream: AudioStream = cls(
        samplerate=samplerate,
        blocksize=blocksize,
        device=device,
        channels=channels,
        dtype="int16",
        callback=callback,
        finished_callback=finished_callback,
    )
    return stream
