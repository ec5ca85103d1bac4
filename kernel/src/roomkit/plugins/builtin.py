"""The kernel's own plugin: in-memory backends, mock providers and the WebSocket channel.

Registered through the same ``roomkit.plugins`` entry point as any third-party plugin
(``builtin = "roomkit.plugins.builtin"``), so the built-ins are listed, created by name and
checked by ``roomkit conformance`` exactly like external components. Like every plugin module it
imports no component module: the descriptors only name them.
"""

from __future__ import annotations

from roomkit import __version__
from roomkit.plugins.api import PLUGIN_API_VERSION
from roomkit.plugins.descriptors import ComponentDescriptor, PluginInfo
from roomkit.plugins.hookspecs import Register
from roomkit.plugins.markers import hookimpl

__all__ = [
    "roomkit_plugin_info",
    "roomkit_register_ai_providers",
    "roomkit_register_audio_stages",
    "roomkit_register_channels",
    "roomkit_register_identity",
    "roomkit_register_messaging_providers",
    "roomkit_register_stores",
    "roomkit_register_telemetry",
    "roomkit_register_voice",
]

_CONFORMANCE = "roomkit_conformance.builtins"
_MAJOR = PLUGIN_API_VERSION.split(".", 1)[0]


@hookimpl
def roomkit_plugin_info() -> PluginInfo:
    """The built-in plugin ships with the kernel and targets exactly its API major version."""
    return PluginInfo(
        name="builtin",
        distribution="roomkit-kernel",
        version=__version__,
        kernel_api=f">={_MAJOR},<{int(_MAJOR) + 1}",
        description="In-memory backends, mock providers and the WebSocket channel",
    )


@hookimpl
def roomkit_register_stores(register: Register) -> None:
    """In-memory conversation store, lock manager and realtime backend (one process)."""
    register(
        ComponentDescriptor(
            kind="store",
            name="memory",
            factory="roomkit.store.memory:InMemoryStore",
            capabilities=frozenset({"single_read"}),
            conformance=f"{_CONFORMANCE}:memory_store",
            description="Keeps rooms and events in process memory",
        )
    )
    register(
        ComponentDescriptor(
            kind="lock_manager",
            name="memory",
            factory="roomkit.core.locks:InMemoryLockManager",
            conformance=f"{_CONFORMANCE}:memory_lock_manager",
            description="asyncio per-room locks for a single process",
        )
    )
    register(
        ComponentDescriptor(
            kind="realtime",
            name="memory",
            factory="roomkit.realtime.memory:InMemoryRealtime",
            conformance=f"{_CONFORMANCE}:memory_realtime",
            description="In-process pub/sub of ephemeral events",
        )
    )


@hookimpl
def roomkit_register_channels(register: Register) -> None:
    """The callback-based WebSocket channel and the voice channel."""
    register(
        ComponentDescriptor(
            kind="channel",
            name="websocket",
            factory="roomkit.channels.websocket:WebSocketChannel",
            config_model="roomkit.plugins.builtin_config:ChannelIdConfig",
            conformance=f"{_CONFORMANCE}:websocket_channel",
            description="Delivers room events to registered WebSocket connections",
        )
    )
    register(
        ComponentDescriptor(
            kind="channel",
            name="voice",
            factory="roomkit.channels.voice.config:build_voice_channel",
            config_model="roomkit.channels.voice.config:VoiceChannelConfig",
            pass_config=True,
            conformance=f"{_CONFORMANCE}:voice_channel",
            description="Speech in and out of a room: VAD, STT, TTS, barge-in",
        )
    )


@hookimpl
def roomkit_register_ai_providers(register: Register) -> None:
    """The scripted mock AI provider used in tests and examples."""
    register(
        ComponentDescriptor(
            kind="ai_provider",
            name="mock",
            factory="roomkit.providers.ai.mock:MockAIProvider",
            conformance_exempt=(
                "the AI-provider suite drives a provider through a wire fake (HTTP faults, "
                "timeouts, dropped streams) that an in-process script does not have"
            ),
            description="Replies from a scripted list of responses",
        )
    )


@hookimpl
def roomkit_register_identity(register: Register) -> None:
    """The mapping-based mock identity resolver."""
    register(
        ComponentDescriptor(
            kind="identity_resolver",
            name="mock",
            factory="roomkit.identity.mock:MockIdentityResolver",
            conformance=f"{_CONFORMANCE}:mock_identity_resolver",
            description="Resolves senders from an in-memory table",
        )
    )


@hookimpl
def roomkit_register_telemetry(register: Register) -> None:
    """Console and no-op telemetry providers."""
    register(
        ComponentDescriptor(
            kind="telemetry",
            name="console",
            factory="roomkit.telemetry.console:ConsoleTelemetryProvider",
            capabilities=frozenset({"records"}),
            conformance=f"{_CONFORMANCE}:console_telemetry",
            description="Prints spans and metrics through logging",
        )
    )
    register(
        ComponentDescriptor(
            kind="telemetry",
            name="noop",
            factory="roomkit.telemetry.base:NoopTelemetryProvider",
            config_model="roomkit.plugins.builtin_config:EmptyConfig",
            conformance=f"{_CONFORMANCE}:noop_telemetry",
            description="Records nothing (the default)",
        )
    )


#: The recording mock of each messaging provider kind: (kind, name, module:class).
_MESSAGING_MOCKS = (
    ("sms_provider", "mock", "roomkit.providers.sms.mock:MockSMSProvider"),
    ("rcs_provider", "mock", "roomkit.providers.rcs.mock:MockRCSProvider"),
    ("email_provider", "mock", "roomkit.providers.email.mock:MockEmailProvider"),
    ("messaging_provider", "mock-http", "roomkit.providers.http.mock:MockHTTPProvider"),
    (
        "messaging_provider",
        "mock-messenger",
        "roomkit.providers.messenger.mock:MockMessengerProvider",
    ),
    ("messaging_provider", "mock-whatsapp", "roomkit.providers.whatsapp.mock:MockWhatsAppProvider"),
    (
        "messaging_provider",
        "mock-whatsapp-personal",
        "roomkit.providers.whatsapp.mock:MockWhatsAppPersonalProvider",
    ),
    ("messaging_provider", "mock-telegram", "roomkit.providers.telegram.mock:MockTelegramProvider"),
    ("messaging_provider", "mock-teams", "roomkit.providers.teams.mock:MockTeamsProvider"),
)


@hookimpl
def roomkit_register_messaging_providers(register: Register) -> None:
    """The recording messaging mocks (they also receive signed webhooks: ``webhook_secret``)."""
    for kind, name, factory in _MESSAGING_MOCKS:
        register(
            ComponentDescriptor(
                kind=kind,
                name=name,
                factory=factory,
                capabilities=frozenset(
                    {"media", "webhooks", "inbound_media", "delivery_receipts", "read_receipts"}
                ),
                conformance=f"{_CONFORMANCE}:{name.replace('-', '_')}_{kind}",
                description=f"Records sends; {factory.rsplit(':', 1)[1]}",
            )
        )


@hookimpl
def roomkit_register_voice(register: Register) -> None:
    """The scripted STT, TTS and speech-to-speech providers and the in-memory voice backend."""
    for kind, factory, capabilities, what in (
        ("stt", "stt.mock:MockSTTProvider", {"streaming"}, "Transcribes from a script"),
        ("tts", "tts.mock:MockTTSProvider", {"deterministic"}, "Speaks words as tones"),
        ("voice_backend", "backends.mock:MockVoiceBackend", set(), "Sessions in memory"),
        ("realtime_voice", "realtime.mock:MockRealtimeProvider", set(), "A scripted model"),
    ):
        register(
            ComponentDescriptor(
                kind=kind,
                name="mock",
                factory=f"roomkit.voice.{factory}",
                capabilities=frozenset(capabilities),
                conformance=f"{_CONFORMANCE}:mock_{kind}",
                description=what,
            )
        )


#: Built-in audio stages: (name, "module:Class" under roomkit.voice.pipeline, capabilities).
_STAGES = (
    ("mock-vad", "vad.mock:MockVADProvider", {"vad"}),
    ("mock-aec", "aec.mock:MockAECProvider", {"aec"}),
    ("mock-agc", "agc.mock:MockAGCProvider", {"agc"}),
    ("mock-denoiser", "denoiser.mock:MockDenoiserProvider", {"denoiser"}),
    ("mock-diarization", "diarization.mock:MockDiarizationProvider", {"diarization"}),
    ("mock-dtmf", "dtmf.mock:MockDTMFDetector", {"dtmf"}),
    ("mock-recorder", "recorder.mock:MockAudioRecorder", {"recorder"}),
    ("mock-postprocessor", "postprocessor.mock:MockAudioPostProcessor", {"postprocessor"}),
    ("mock-resampler", "resampler.mock:MockResamplerProvider", {"resampler"}),
    ("mock-turn-detector", "turn.mock:MockTurnDetector", {"turn_detector"}),
    ("mock-backchannel", "backchannel.mock:MockBackchannelDetector", {"backchannel"}),
    (
        "linear-resampler",
        "resampler.linear:LinearResamplerProvider",
        {"resampler", "analyses_audio"},
    ),
    (
        "phrase-backchannel",
        "backchannel.phrases:PhraseBackchannelDetector",
        {"backchannel", "analyses_audio"},
    ),
)


@hookimpl
def roomkit_register_audio_stages(register: Register) -> None:
    """Scripted mocks of every stage role, the linear resampler and the phrase backchannel
    detector; capabilities name the role."""
    for name, factory, capabilities in _STAGES:
        register(
            ComponentDescriptor(
                kind="audio_stage",
                name=name,
                factory=f"roomkit.voice.pipeline.{factory}",
                capabilities=frozenset(capabilities),
                conformance=f"{_CONFORMANCE}:{name.replace('-', '_')}",
                description=f"{factory.rpartition(':')[2]} ({', '.join(sorted(capabilities))})",
            )
        )
