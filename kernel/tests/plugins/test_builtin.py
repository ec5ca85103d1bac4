"""The built-in plugin registers through the same entry point as every other plugin."""

from __future__ import annotations

import importlib.util

from roomkit.plugins.api import PLUGIN_API_VERSION
from roomkit.plugins.catalogue import Catalogue

EXPECTED = {
    "ai_provider:mock",
    "channel:websocket",
    "channel:voice",
    "email_provider:mock",
    "messaging_provider:mock-http",
    "messaging_provider:mock-messenger",
    "messaging_provider:mock-teams",
    "messaging_provider:mock-telegram",
    "messaging_provider:mock-whatsapp",
    "messaging_provider:mock-whatsapp-personal",
    "rcs_provider:mock",
    "sms_provider:mock",
    "identity_resolver:mock",
    "lock_manager:memory",
    "realtime:memory",
    "store:memory",
    "telemetry:console",
    "telemetry:noop",
    # voice (roomkit.voice)
    "stt:mock",
    "tts:mock",
    "voice_backend:mock",
    "realtime_voice:mock",
    *(
        f"audio_stage:{name}"
        for name in (
            "mock-vad",
            "mock-aec",
            "mock-agc",
            "mock-denoiser",
            "mock-diarization",
            "mock-dtmf",
            "mock-recorder",
            "mock-postprocessor",
            "mock-resampler",
            "mock-turn-detector",
            "mock-backchannel",
            "linear-resampler",
            "phrase-backchannel",
        )
    ),
}


def test_builtin_comes_from_the_entry_point(site_dir: object) -> None:
    record = Catalogue.load().plugin("builtin")
    assert record.ok, record.error
    assert record.module == "roomkit.plugins.builtin"
    assert record.distribution == "roomkit-kernel"
    assert {f"{c.kind}:{c.name}" for c in record.components} == EXPECTED


def test_builtin_targets_this_api_major() -> None:
    from roomkit.plugins.builtin import roomkit_plugin_info

    major = PLUGIN_API_VERSION.split(".")[0]
    assert roomkit_plugin_info().kernel_api == f">={major},<{int(major) + 1}"


def test_every_builtin_names_a_conformance_factory_and_an_existing_module(
    site_dir: object,
) -> None:
    for component in Catalogue.load().plugin("builtin").components:
        if (component.kind, component.name) == ("ai_provider", "mock"):
            assert component.conformance is None  # no wire fake for an in-process script
            continue
        assert component.conformance is not None
        assert component.conformance.startswith("roomkit_conformance.builtins:")
        module = component.factory.partition(":")[0]
        assert importlib.util.find_spec(module) is not None, f"{module} does not exist"


def test_websocket_channel_created_by_name(site_dir: object) -> None:
    import pytest

    from roomkit.errors import ConfigurationError
    from roomkit.plugins.factory import create_component

    channel = create_component("channel", "websocket", {"channel_id": "ws-by-name"})
    assert type(channel).__name__ == "WebSocketChannel"
    assert channel.channel_id == "ws-by-name"  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match="channel_id"):
        create_component("channel", "websocket", {})
