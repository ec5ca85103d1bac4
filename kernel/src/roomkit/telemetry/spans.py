"""The span vocabulary: what kind of work a span measures, its well-known attribute names, and
the record a recording provider keeps for it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["Attr", "Span", "SpanKind", "new_span_id", "new_trace_id"]


class SpanKind(StrEnum):
    """What a span measures. Values are the names RoomKit 0.6.7 used, so dashboards and
    ``MockTelemetryProvider.get_spans(kind)`` filters keep working."""

    # Voice pipeline
    PIPELINE_INBOUND = "pipeline.inbound"
    PIPELINE_OUTBOUND = "pipeline.outbound"
    STT_TRANSCRIBE = "stt.transcribe"
    STT_STREAM = "stt.stream"
    TTS_SYNTHESIZE = "tts.synthesize"
    # AI
    LLM_GENERATE = "llm.generate"
    LLM_TOOL_CALL = "llm.tool_call"
    # Speech-to-speech
    REALTIME_SESSION = "realtime.session"
    REALTIME_TURN = "realtime.turn"
    REALTIME_TOOL_CALL = "realtime.tool_call"
    # Hooks
    HOOK_SYNC = "hook.sync"
    HOOK_ASYNC = "hook.async"
    # The message path
    INBOUND_PIPELINE = "framework.inbound"
    BROADCAST = "framework.broadcast"
    DELIVERY = "framework.delivery"
    # Sessions and infrastructure
    VOICE_SESSION = "voice.session"
    PIPELINE_SPEECH_SEGMENT = "pipeline.speech_segment"
    STORE_QUERY = "store.query"
    BACKEND_CONNECT = "backend.connect"
    CUSTOM = "custom"


class Attr:
    """Well-known attribute names for spans and metrics (plain strings, usable as dict keys)."""

    # Common
    PROVIDER = "provider"
    MODEL = "model"
    ROOM_ID = "room_id"
    SESSION_ID = "session_id"
    CHANNEL_ID = "channel_id"
    TTFB_MS = "ttfb_ms"
    DURATION_MS = "duration_ms"
    # Speech-to-text
    STT_TEXT = "stt.text"
    STT_TEXT_LENGTH = "stt.text_length"
    STT_CONFIDENCE = "stt.confidence"
    STT_IS_FINAL = "stt.is_final"
    STT_MODE = "stt.mode"
    # Text-to-speech
    TTS_VOICE = "tts.voice"
    TTS_CHAR_COUNT = "tts.char_count"
    TTS_TEXT_LENGTH = "tts.text_length"
    # AI
    LLM_INPUT_TOKENS = "llm.input_tokens"
    LLM_OUTPUT_TOKENS = "llm.output_tokens"
    LLM_TOOL_COUNT = "llm.tool_count"
    LLM_STREAMING = "llm.streaming"
    # Hooks
    HOOK_NAME = "hook.name"
    HOOK_TRIGGER = "hook.trigger"
    HOOK_RESULT = "hook.result"
    # Audio pipeline
    PIPELINE_FRAME_COUNT = "pipeline.frame_count"
    PIPELINE_BYTES_PROCESSED = "pipeline.bytes_processed"
    PIPELINE_STAGES = "pipeline.stages"
    PIPELINE_FRAMES = "pipeline.frames"
    # Speech-to-speech
    REALTIME_PROVIDER = "realtime.provider"
    REALTIME_TOOL_NAME = "realtime.tool_name"
    # Deliveries
    DELIVERY_CHANNEL_TYPE = "delivery.channel_type"
    DELIVERY_RECIPIENT = "delivery.recipient"
    DELIVERY_SUCCESS = "delivery.success"
    DELIVERY_ERROR = "delivery.error"
    DELIVERY_MESSAGE_ID = "delivery.message_id"
    # Storage and backends
    STORE_OPERATION = "store.operation"
    STORE_TABLE = "store.table"
    BACKEND_TYPE = "backend.type"
    # Added by RoomKit (not in 0.6.7)
    CHANNEL_TYPE = "channel_type"
    DELIVERY_STATUS = "delivery.status"
    ERROR_TYPE = "error.type"
    EVENT_ID = "event_id"
    INBOUND_OUTCOME = "inbound.outcome"
    TOOL_NAME = "tool.name"


def new_span_id() -> str:
    """16 random hex digits: the W3C ``parent-id`` shape."""
    return os.urandom(8).hex()


def new_trace_id() -> str:
    """32 random hex digits: the W3C ``trace-id`` shape."""
    return os.urandom(16).hex()


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Span:
    """One span as a recording provider keeps it (``MockTelemetryProvider.spans`` holds these).

    ``trace_id`` (a RoomKit addition) groups the spans of one trace: a root span gets a new
    one, a child inherits its parent's, a span continuing a remote trace takes the caller's.
    """

    id: str = field(default_factory=new_span_id)
    kind: SpanKind = SpanKind.CUSTOM
    name: str = ""
    parent_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    start_time: datetime = field(default_factory=_now)
    end_time: datetime | None = None
    status: str = "ok"
    error_message: str | None = None
    room_id: str | None = None
    session_id: str | None = None
    channel_id: str | None = None
    trace_id: str | None = None

    @property
    def duration_ms(self) -> float | None:
        """Milliseconds between start and end; ``None`` while the span is open."""
        if self.end_time is None:
            return None
        return (self.end_time - self.start_time).total_seconds() * 1000.0
