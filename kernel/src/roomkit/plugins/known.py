"""First-party plugin names the kernel knows about without any of them installed.

Used only for error messages: when a name is not provided by any installed plugin, these tables
tell the user which distribution to ``pip install``. They never decide what gets loaded.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["KNOWN_COMPONENTS", "KNOWN_EXPORTS", "install_hint"]

#: Public names (``from roomkit import <name>``) exported by first-party plugins.
KNOWN_EXPORTS: Mapping[str, str] = {
    # AI providers and tools
    "AnthropicAIProvider": "roomkit-anthropic",
    "AnthropicConfig": "roomkit-anthropic",
    "AzureAIConfig": "roomkit-openai",
    "AzureOpenAIAIProvider": "roomkit-openai",
    "GeminiAIProvider": "roomkit-gemini",
    "GeminiConfig": "roomkit-gemini",
    "MCPConfig": "roomkit-mcp",
    "MCPToolProvider": "roomkit-mcp",
    "MistralAIProvider": "roomkit-mistral",
    "MistralConfig": "roomkit-mistral",
    "OpenAIAIProvider": "roomkit-openai",
    "OpenAIConfig": "roomkit-openai",
    "VLLMConfig": "roomkit-openai",
    "create_vllm_provider": "roomkit-openai",
    # persistence and scale-out
    "PostgresLockManager": "roomkit-postgres",
    "PostgresRealtime": "roomkit-postgres",
    "PostgresStore": "roomkit-postgres",
    "RedisLockManager": "roomkit-redis",
    "RedisRealtime": "roomkit-redis",
    "SQLiteStore": "roomkit-sqlite",
    # messaging providers
    "BotFrameworkTeamsProvider": "roomkit-teams",
    "ElasticEmailProvider": "roomkit-elasticemail",
    "FacebookMessengerProvider": "roomkit-messenger",
    "NeonizeWhatsAppProvider": "roomkit-whatsapp-personal",
    "SendGridProvider": "roomkit-sendgrid",
    "SinchSMSProvider": "roomkit-sinch",
    "TelegramBotProvider": "roomkit-telegram",
    "TelnyxRCSProvider": "roomkit-telnyx",
    "TelnyxSMSProvider": "roomkit-telnyx",
    "TwilioRCSProvider": "roomkit-twilio",
    "TwilioSMSProvider": "roomkit-twilio",
    "VoiceMeUpSMSProvider": "roomkit-voicemeup",
    "WebhookHTTPProvider": "roomkit-http",
    # voice
    "DeepgramSTTProvider": "roomkit-deepgram",
    "ElevenLabsTTSProvider": "roomkit-elevenlabs",
    "FastRTCRealtimeTransport": "roomkit-fastrtc",
    "FastRTCVoiceBackend": "roomkit-fastrtc",
    "GeminiLiveProvider": "roomkit-gemini-live",
    "GradiumSTTProvider": "roomkit-gradium",
    "GradiumTTSProvider": "roomkit-gradium",
    "LocalAudioBackend": "roomkit-local-audio",
    "NeuTTSProvider": "roomkit-neutts",
    "OpenAIRealtimeProvider": "roomkit-openai-realtime",
    "QwenSTTProvider": "roomkit-qwen",
    "QwenTTSProvider": "roomkit-qwen",
    "RNNoiseDenoiserProvider": "roomkit-rnnoise",
    "RTPBackend": "roomkit-rtp",
    "RealtimeVoiceChannel": "roomkit-voice",
    "SIPRealtimeTransport": "roomkit-sip",
    "SIPVoiceBackend": "roomkit-sip",
    "SherpaOnnxDenoiserProvider": "roomkit-sherpa-onnx",
    "SherpaOnnxSTTProvider": "roomkit-sherpa-onnx",
    "SherpaOnnxTTSProvider": "roomkit-sherpa-onnx",
    "SherpaOnnxVADProvider": "roomkit-sherpa-onnx",
    "SpeexAECProvider": "roomkit-speex",
    "VoiceChannel": "roomkit-voice",
    "WebSocketRealtimeTransport": "roomkit-voice",
    # telemetry
    "OpenTelemetryProvider": "roomkit-opentelemetry",
}

#: ``(kind, name)`` of components provided by first-party plugins.
KNOWN_COMPONENTS: Mapping[tuple[str, str], str] = {
    ("ai_provider", "anthropic"): "roomkit-anthropic",
    ("ai_provider", "azure-openai"): "roomkit-openai",
    ("ai_provider", "gemini"): "roomkit-gemini",
    ("ai_provider", "mistral"): "roomkit-mistral",
    ("ai_provider", "openai"): "roomkit-openai",
    ("ai_provider", "vllm"): "roomkit-openai",
    ("email_provider", "elasticemail"): "roomkit-elasticemail",
    ("email_provider", "sendgrid"): "roomkit-sendgrid",
    ("lock_manager", "postgres"): "roomkit-postgres",
    ("lock_manager", "redis"): "roomkit-redis",
    ("messaging_provider", "messenger"): "roomkit-messenger",
    ("messaging_provider", "teams"): "roomkit-teams",
    ("messaging_provider", "telegram"): "roomkit-telegram",
    ("rcs_provider", "telnyx"): "roomkit-telnyx",
    ("rcs_provider", "twilio"): "roomkit-twilio",
    ("realtime", "postgres"): "roomkit-postgres",
    ("realtime", "redis"): "roomkit-redis",
    ("realtime_voice", "gemini-live"): "roomkit-gemini-live",
    ("realtime_voice", "openai-realtime"): "roomkit-openai-realtime",
    ("sms_provider", "sinch"): "roomkit-sinch",
    ("sms_provider", "telnyx"): "roomkit-telnyx",
    ("sms_provider", "twilio"): "roomkit-twilio",
    ("store", "postgres"): "roomkit-postgres",
    ("store", "sqlite"): "roomkit-sqlite",
    ("stt", "deepgram"): "roomkit-deepgram",
    ("stt", "sherpa-onnx"): "roomkit-sherpa-onnx",
    ("telemetry", "opentelemetry"): "roomkit-opentelemetry",
    ("tool_provider", "mcp"): "roomkit-mcp",
    ("tts", "elevenlabs"): "roomkit-elevenlabs",
    ("tts", "sherpa-onnx"): "roomkit-sherpa-onnx",
    ("voice_backend", "sip"): "roomkit-sip",
}


def install_hint(distribution: str) -> str:
    """The command that installs ``distribution``."""
    return f"pip install {distribution}"
