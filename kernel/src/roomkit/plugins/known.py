"""First-party plugins the kernel knows about without any of them installed.

Used only for error messages: when a component or a ``from roomkit import <name>`` is not
provided by any installed plugin, :data:`KNOWN_PLUGINS` tells the user which distribution
provides it and how to install it. It never decides what gets loaded.

It is the one source of truth for these names: a test checks it, in both directions, against
the descriptors of every first-party plugin in the repository. Distributions that are planned
but not built yet are marked ``built=False``; their names only say "not built yet".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "KNOWN_COMPONENTS",
    "KNOWN_EXPORTS",
    "KNOWN_PLUGINS",
    "KnownPlugin",
    "install_hint",
    "known_plugin",
    "source_folder",
]


@dataclass(frozen=True)
class KnownPlugin:
    """A first-party plugin distribution: its components ``(kind, name)`` and exported names.

    ``built`` is false for a plugin that is planned but has no distribution yet.
    """

    distribution: str
    components: tuple[tuple[str, str], ...] = ()
    exports: tuple[str, ...] = ()
    built: bool = True


def _planned(
    distribution: str, *exports: str, components: tuple[tuple[str, str], ...] = ()
) -> KnownPlugin:
    return KnownPlugin(distribution, components, exports, built=False)


KNOWN_PLUGINS: tuple[KnownPlugin, ...] = (
    # built: each has a folder plugins/<distribution>/ (or contrib/) in the repository
    KnownPlugin(
        "roomkit-anthropic",
        (("ai_provider", "anthropic"),),
        ("AnthropicAIProvider", "AnthropicConfig"),
    ),
    # the dev console (`roomkit console`): no components, no top-level names
    KnownPlugin("roomkit-console"),
    KnownPlugin(
        "roomkit-audio",
        (
            ("audio_stage", "energy-agc"),
            ("audio_stage", "energy-vad"),
            ("audio_stage", "goertzel-dtmf"),
            ("audio_stage", "soxr-resampler"),
            ("audio_stage", "wav-recorder"),
        ),
        (
            "EnergyAGCProvider",
            "EnergyVADProvider",
            "GoertzelDTMFDetector",
            "SoxrResamplerProvider",
            "WavFileRecorder",
        ),
    ),
    KnownPlugin(
        "roomkit-elasticemail",
        (("email_provider", "elasticemail"),),
        ("ElasticEmailConfig", "ElasticEmailProvider"),
    ),
    KnownPlugin(
        "roomkit-gemini", (("ai_provider", "gemini"),), ("GeminiAIProvider", "GeminiConfig")
    ),
    KnownPlugin("roomkit-mcp", (("tool_provider", "mcp"),), ("MCPConfig", "MCPToolProvider")),
    KnownPlugin(
        "roomkit-local-audio",
        (("voice_backend", "local"),),
        ("AudioDeviceError", "LocalAudioBackend"),
    ),
    KnownPlugin(
        "roomkit-messenger",
        (("messaging_provider", "messenger"),),
        ("FacebookMessengerProvider", "MessengerConfig", "parse_messenger_webhook"),
    ),
    KnownPlugin(
        "roomkit-mistral", (("ai_provider", "mistral"),), ("MistralAIProvider", "MistralConfig")
    ),
    KnownPlugin(
        "roomkit-openai",
        (("ai_provider", "openai"), ("ai_provider", "azure-openai"), ("ai_provider", "vllm")),
        (
            "AzureAIConfig",
            "AzureAIProvider",
            "AzureOpenAIAIProvider",
            "OpenAIAIProvider",
            "OpenAIConfig",
            "VLLMConfig",
            "create_vllm_provider",
        ),
    ),
    KnownPlugin("roomkit-nats", (("source", "nats"),), ("NATSSource",)),
    KnownPlugin(
        "roomkit-opentelemetry",
        (("telemetry", "opentelemetry"),),
        ("OpenTelemetryProvider",),
    ),
    KnownPlugin(
        "roomkit-postgres",
        (("store", "postgres"), ("lock_manager", "postgres"), ("realtime", "postgres")),
        ("PostgresLockManager", "PostgresRealtime", "PostgresStore"),
    ),
    KnownPlugin(
        "roomkit-redis",
        (("lock_manager", "redis"), ("realtime", "redis")),
        ("RedisLockManager", "RedisRealtime"),
    ),
    KnownPlugin("roomkit-rnnoise", (("audio_stage", "rnnoise"),), ("RNNoiseDenoiserProvider",)),
    KnownPlugin(
        "roomkit-sherpa-onnx",
        (
            ("audio_stage", "sherpa-onnx-denoiser"),
            ("audio_stage", "sherpa-onnx-vad"),
            ("stt", "sherpa-onnx"),
            ("tts", "sherpa-onnx"),
        ),
        (
            "SherpaOnnxDenoiserConfig",
            "SherpaOnnxDenoiserProvider",
            "SherpaOnnxSTTConfig",
            "SherpaOnnxSTTProvider",
            "SherpaOnnxTTSConfig",
            "SherpaOnnxTTSProvider",
            "SherpaOnnxVADConfig",
            "SherpaOnnxVADProvider",
        ),
    ),
    # the webhook server (`roomkit serve`): no components, no top-level names
    KnownPlugin("roomkit-server"),
    KnownPlugin("roomkit-speex", (("audio_stage", "speex-aec"),), ("SpeexAECProvider",)),
    KnownPlugin("roomkit-sqlite", (("store", "sqlite"),), ("SQLiteStore",)),
    KnownPlugin("roomkit-sse", (("source", "sse"),), ("SSESource",)),
    KnownPlugin(
        "roomkit-telegram",
        (("messaging_provider", "telegram"),),
        ("TelegramBotProvider", "TelegramConfig", "parse_telegram_webhook"),
    ),
    KnownPlugin(
        "roomkit-telnyx",
        (("rcs_provider", "telnyx"), ("sms_provider", "telnyx")),
        (
            "TelnyxConfig",
            "TelnyxRCSConfig",
            "TelnyxRCSProvider",
            "TelnyxSMSProvider",
            "parse_telnyx_rcs_webhook",
            "parse_telnyx_webhook",
        ),
    ),
    KnownPlugin(
        "roomkit-teams",
        (("messaging_provider", "teams"),),
        (
            "BotFrameworkTeamsProvider",
            "ConversationReferenceStore",
            "InMemoryConversationReferenceStore",
            "SQLiteConversationReferenceStore",
            "TeamsConfig",
            "is_bot_added",
            "parse_teams_activity",
            "parse_teams_reactions",
            "parse_teams_webhook",
        ),
    ),
    KnownPlugin(
        "roomkit-twilio",
        (
            ("messaging_provider", "twilio-whatsapp"),
            ("rcs_provider", "twilio"),
            ("sms_provider", "twilio"),
        ),
        (
            "TwilioConfig",
            "TwilioRCSConfig",
            "TwilioRCSProvider",
            "TwilioSMSProvider",
            "TwilioWhatsAppConfig",
            "TwilioWhatsAppProvider",
            "parse_twilio_rcs_webhook",
            "parse_twilio_webhook",
        ),
    ),
    KnownPlugin(
        "roomkit-whatsapp-personal",
        (("messaging_provider", "whatsapp-personal"),),
        ("NeonizeWhatsAppProvider", "WhatsAppPersonalConfig", "WhatsAppPersonalSourceProvider"),
    ),
    KnownPlugin(
        "roomkit-voicemeup",
        (("sms_provider", "voicemeup"),),
        (
            "VoiceMeUpConfig",
            "VoiceMeUpSMSProvider",
            "configure_voicemeup_mms",
            "parse_voicemeup_webhook",
        ),
    ),
    KnownPlugin(
        "roomkit-sendgrid",
        (("email_provider", "sendgrid"),),
        ("SendGridConfig", "SendGridProvider"),
    ),
    KnownPlugin(
        "roomkit-sinch",
        (("sms_provider", "sinch"),),
        ("SinchConfig", "SinchSMSProvider", "parse_sinch_webhook"),
    ),
    KnownPlugin("roomkit-webrtc-aec", (("audio_stage", "webrtc-aec"),), ("WebRTCAECProvider",)),
    KnownPlugin("roomkit-websocket", (("source", "websocket"),), ("WebSocketSource",)),
    KnownPlugin("roomkit-whisper", (("stt", "whisper"),), ("WhisperConfig", "WhisperSTTProvider")),
    KnownPlugin(
        "roomkit-whatsapp",
        (("messaging_provider", "whatsapp"),),
        ("WhatsAppCloudConfig", "WhatsAppCloudProvider"),
    ),
    KnownPlugin(
        "roomkit-webhook",
        (("messaging_provider", "webhook"),),
        ("HTTPProviderConfig", "WebhookHTTPProvider", "parse_http_webhook"),
    ),
    # planned: named by the RoomKit 0.6.7 feature set, not built yet
    _planned("roomkit-deepgram", "DeepgramSTTProvider", components=(("stt", "deepgram"),)),
    _planned("roomkit-elevenlabs", "ElevenLabsTTSProvider", components=(("tts", "elevenlabs"),)),
    _planned("roomkit-fastrtc", "FastRTCRealtimeTransport", "FastRTCVoiceBackend"),
    _planned(
        "roomkit-gemini-live", "GeminiLiveProvider", components=(("realtime_voice", "gemini-live"),)
    ),
    _planned("roomkit-gradium", "GradiumSTTProvider", "GradiumTTSProvider"),
    _planned("roomkit-neutts", "NeuTTSProvider"),
    _planned(
        "roomkit-openai-realtime",
        "OpenAIRealtimeProvider",
        components=(("realtime_voice", "openai-realtime"),),
    ),
    _planned("roomkit-qwen", "QwenSTTProvider", "QwenTTSProvider"),
    _planned("roomkit-rtp", "RTPBackend"),
    _planned(
        "roomkit-sip",
        "SIPRealtimeTransport",
        "SIPVoiceBackend",
        components=(("voice_backend", "sip"),),
    ),
    _planned("roomkit-voice", "WebSocketRealtimeTransport"),
)

#: Public names (``from roomkit import <name>``) -> the first-party distribution exporting it.
KNOWN_EXPORTS: Mapping[str, str] = {
    name: plugin.distribution for plugin in KNOWN_PLUGINS for name in plugin.exports
}

#: ``(kind, name)`` of first-party components -> the distribution providing it.
KNOWN_COMPONENTS: Mapping[tuple[str, str], str] = {
    component: plugin.distribution for plugin in KNOWN_PLUGINS for component in plugin.components
}

_BY_DISTRIBUTION = {plugin.distribution: plugin for plugin in KNOWN_PLUGINS}

#: Where the distributions that are not plugins live in a RoomKit checkout.
_FOLDERS = {
    "roomkit-kernel": "kernel",
    "roomkit-conformance": "conformance",
    "roomkit-voicemeup": "contrib/roomkit-voicemeup",
    "roomkit-whatsapp-personal": "contrib/roomkit-whatsapp-personal",
}


def known_plugin(distribution: str) -> KnownPlugin | None:
    """The table entry of a first-party distribution, if it is one."""
    return _BY_DISTRIBUTION.get(distribution)


def source_folder(distribution: str) -> str:
    """The distribution's folder in a RoomKit checkout (``plugins/roomkit-sqlite``)."""
    return _FOLDERS.get(distribution, f"plugins/{distribution}")


def install_hint(distribution: str, extra: str | None = None) -> str:
    """How to install ``distribution``: no ``roomkit-*`` distribution is on a package index
    yet, so from a RoomKit checkout or from the wheels ``make dist`` builds there."""
    plugin = known_plugin(distribution)
    if plugin is not None and not plugin.built:
        return f"{distribution} is planned but not built yet"
    folder = source_folder(distribution)
    wheel = distribution.replace("-", "_")
    if extra:
        return (
            f'install {distribution} from a RoomKit checkout: pip install "./{folder}[{extra}]" '
            f'(or from a wheel built by `make dist`: pip install "dist/{wheel}-<version>-'
            f'py3-none-any.whl[{extra}]")'
        )
    return (
        f"install {distribution} from a RoomKit checkout: pip install ./{folder} "
        f"(or the wheel `make dist` builds: pip install dist/{wheel}-*.whl)"
    )
