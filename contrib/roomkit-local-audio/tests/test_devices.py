"""Device errors: the real sounddevice module and its device queries, and failing streams.

sounddevice needs the PortAudio library (Debian ``libportaudio2``, installed by
``make install``). This machine has no sound card: PortAudio's device list is empty, so
every real device lookup and every real stream open must fail with a typed error.
"""

from __future__ import annotations

import asyncio
import os
from types import ModuleType

import pytest
from roomkit_local_audio import AudioDeviceError, LocalAudioBackend
from roomkit_local_audio.devices import (
    AudioDevice,
    import_sounddevice,
    list_devices,
    resolve_device,
)
from roomkit_local_audio.testing import FakeStreamFactory
from roomkit_local_audio.testing import wait_until as until

from roomkit.errors import MissingDependencyError, VoiceSessionError
from roomkit.voice.base import VoiceSession, VoiceSessionState
from roomkit.voice.pcm import tone

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def sd() -> ModuleType:
    try:
        return import_sounddevice()
    except MissingDependencyError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"sounddevice cannot load here: {exc} (run make install)")


def _no_sound_card(sd: ModuleType) -> None:
    if len(sd.query_devices()):
        pytest.skip("this machine has sound devices; these tests expect none")


async def test_the_real_device_list_is_read_through_sounddevice(sd: ModuleType) -> None:
    devices = list_devices()
    assert devices == [
        AudioDevice(
            d["index"],
            d["name"],
            d["max_input_channels"],
            d["max_output_channels"],
            d["default_samplerate"],
        )
        for d in sd.query_devices()
    ]


async def test_a_named_device_that_does_not_exist_is_a_typed_error(sd: ModuleType) -> None:
    _no_sound_card(sd)
    with pytest.raises(AudioDeviceError, match=r"'USB Mic' is not available.*would do: none"):
        resolve_device("USB Mic", "input", 1)
    backend = LocalAudioBackend(input_device="USB Mic", stream_factory=FakeStreamFactory())
    session = await backend.connect("room", "dev", "voice")
    with pytest.raises(AudioDeviceError, match="input_device"):
        await backend.start_listening(session)
    assert session.state is VoiceSessionState.ACTIVE  # the session survives; pick another
    await backend.close()


async def test_device_lookup_by_index_and_name() -> None:
    devices = [
        AudioDevice(0, "HDA Intel PCH: ALC257 Analog", 2, 2, 48000.0),
        AudioDevice(3, "USB Headset", 1, 0, 44100.0),
        AudioDevice(4, "USB Headset Monitor", 0, 2, 44100.0),
    ]
    assert resolve_device(None, "input", 1, devices) is None
    assert resolve_device("usb headset", "input", 1, devices) == 3
    assert resolve_device("USB Headset", "output", 1, devices) == 4
    assert resolve_device(0, "output", 2, devices) == 0
    with pytest.raises(AudioDeviceError, match="ambiguous"):
        resolve_device("usb", "input", 1, [*devices, AudioDevice(5, "USB Mic", 1, 0, 16000.0)])
    with pytest.raises(AudioDeviceError, match="with 2 input channel"):
        resolve_device(3, "input", 2, devices)


async def test_the_default_sounddevice_streams_fail_typed_without_a_sound_card(
    sd: ModuleType,
) -> None:
    _no_sound_card(sd)
    backend = LocalAudioBackend()  # real RawInputStream / RawOutputStream
    session = await backend.connect("room", "dev", "voice")
    with pytest.raises(AudioDeviceError, match="cannot open the input device") as caught:
        await backend.start_listening(session)
    assert isinstance(caught.value.__cause__, sd.PortAudioError)
    with pytest.raises(AudioDeviceError, match="cannot open the output device"):
        await backend.send_audio(session, tone(440, 20, 24000))
    assert not backend.is_playing(session)
    await backend.disconnect(session)
    assert session.state is VoiceSessionState.ENDED


async def test_a_refused_stream_is_a_typed_error_and_a_retry_works(
    sd: ModuleType,
) -> None:
    factory = FakeStreamFactory()
    backend = LocalAudioBackend(stream_factory=factory)
    session = await backend.connect("room", "dev", "voice")
    factory.refuse("input", sd.PortAudioError("Invalid sample rate", -9997))
    with pytest.raises(AudioDeviceError, match="Invalid sample rate"):
        await backend.start_listening(session)
    await backend.start_listening(session)
    assert len(factory.of_kind("input")) == 1
    await backend.close()


async def test_a_device_lost_mid_session_ends_the_session_cleanly() -> None:
    factory = FakeStreamFactory()
    backend = LocalAudioBackend(stream_factory=factory)
    gone: list[VoiceSession] = []
    backend.on_client_disconnected(gone.append)
    session = await backend.connect("room", "dev", "voice")
    await backend.start_listening(session)
    playing = asyncio.create_task(backend.send_audio(session, tone(440, 500, 24000)))
    await until(lambda: backend.is_playing(session), "playing")
    mic, speaker = factory.of_kind("input")[0], factory.of_kind("output")[0]
    await asyncio.to_thread(mic.fail)  # the USB headset was unplugged
    await until(lambda: session.state is VoiceSessionState.ENDED, "session ended")
    await until(lambda: gone == [session], "disconnect reported once")
    await asyncio.wait_for(playing, 10)  # playback released, no error
    assert speaker.closed
    assert mic.closed
    assert session.metadata["local_audio_error"] == "the input device stopped"
    assert backend.get_session(session.id) is None
    with pytest.raises(VoiceSessionError):
        await backend.send_audio(session, tone(440, 20, 24000))
    await backend.close()
    assert gone == [session]


async def test_stop_and_restart_listening_keeps_the_session() -> None:
    """Closing the microphone ourselves fires finished_callback too: that is not a lost
    device, even when a new microphone stream is already open when it is handled."""
    factory = FakeStreamFactory()
    backend = LocalAudioBackend(stream_factory=factory, mute_mic_during_playback=False)
    gone: list[VoiceSession] = []
    backend.on_client_disconnected(gone.append)
    frames: list[bytes] = []
    backend.on_audio_received(lambda s, f: frames.append(f.data))
    session = await backend.connect("room", "dev", "voice")
    await backend.start_listening(session)
    await backend.stop_listening(session)
    await backend.start_listening(session)
    first, second = factory.of_kind("input")
    assert first.closed
    assert not second.closed
    await asyncio.to_thread(second.feed, tone(440, 20, 16000))
    await until(lambda: frames, "the new microphone delivers")
    assert session.state is VoiceSessionState.ACTIVE
    assert gone == []
    await backend.close()
    assert second.closed
