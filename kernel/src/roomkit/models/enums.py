"""Enumerations shared by every model. All are ``StrEnum`` so they serialise as plain strings."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Access",
    "ChannelCategory",
    "ChannelDirection",
    "ChannelMediaType",
    "ChannelType",
    "DeleteType",
    "DeliveryMode",
    "DeliveryStatus",
    "EphemeralEventType",
    "EventStatus",
    "EventType",
    "HookExecution",
    "HookTrigger",
    "IdentificationStatus",
    "ParticipantRole",
    "ParticipantStatus",
    "RoomStatus",
    "TaskStatus",
]


class ChannelType(StrEnum):
    """The kind of transport or intelligence a channel connects."""

    SMS = "sms"
    MMS = "mms"
    RCS = "rcs"
    EMAIL = "email"
    WEBSOCKET = "websocket"
    MESSENGER = "messenger"
    TEAMS = "teams"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    WHATSAPP_PERSONAL = "whatsapp_personal"
    VOICE = "voice"
    REALTIME_VOICE = "realtime_voice"
    WEBHOOK = "webhook"
    PUSH = "push"
    AI = "ai"
    SYSTEM = "system"


class ChannelCategory(StrEnum):
    """Transport channels carry messages to people; intelligence channels generate content."""

    TRANSPORT = "transport"
    INTELLIGENCE = "intelligence"


class ChannelDirection(StrEnum):
    """Which way messages flow through a channel, or which way one event flowed."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BIDIRECTIONAL = "bidirectional"


class ChannelMediaType(StrEnum):
    """Content families a channel can carry, used for capability checks and transcoding."""

    TEXT = "text"
    RICH = "rich"
    MEDIA = "media"
    AUDIO = "audio"
    VIDEO = "video"
    LOCATION = "location"
    TEMPLATE = "template"


class Access(StrEnum):
    """What a binding may do in its room."""

    READ_WRITE = "read_write"
    READ_ONLY = "read_only"
    WRITE_ONLY = "write_only"
    NONE = "none"


class EventType(StrEnum):
    """What a stored room event represents."""

    MESSAGE = "message"
    SYSTEM = "system"
    TYPING = "typing"
    READ_RECEIPT = "read_receipt"
    DELIVERY_RECEIPT = "delivery_receipt"
    PRESENCE = "presence"
    REACTION = "reaction"
    EDIT = "edit"
    DELETE = "delete"
    CHANNEL_ATTACHED = "channel_attached"
    CHANNEL_DETACHED = "channel_detached"
    CHANNEL_MUTED = "channel_muted"
    CHANNEL_UNMUTED = "channel_unmuted"
    CHANNEL_UPDATED = "channel_updated"
    PARTICIPANT_JOINED = "participant_joined"
    PARTICIPANT_LEFT = "participant_left"
    PARTICIPANT_IDENTIFIED = "participant_identified"
    TASK_CREATED = "task_created"
    TASK_DELEGATED = "task_delegated"
    TASK_COMPLETED = "task_completed"
    OBSERVATION = "observation"
    DTMF = "dtmf"
    RECORDING_STARTED = "recording_started"
    RECORDING_STOPPED = "recording_stopped"


class EventStatus(StrEnum):
    """Where an event is in the pipeline."""

    PENDING = "pending"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    BLOCKED = "blocked"


class DeliveryStatus(StrEnum):
    """The outcome of delivering one event to one binding."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    SKIPPED = "skipped"
    PENDING = "pending"
    """Not delivered yet: queued in the binding's outbox or waiting for a retry."""


class RoomStatus(StrEnum):
    """Room lifecycle: ``ACTIVE -> PAUSED -> CLOSED`` (``ARCHIVED`` is terminal, set by hand)."""

    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"
    ARCHIVED = "archived"


class HookExecution(StrEnum):
    """Sync hooks run in the pipeline and may block or modify; async hooks run after the fact."""

    SYNC = "sync"
    ASYNC = "async"


class HookTrigger(StrEnum):
    """Every point in the lifecycle where hooks run."""

    # Event pipeline
    BEFORE_BROADCAST = "before_broadcast"
    AFTER_BROADCAST = "after_broadcast"
    # Room lifecycle
    ON_ROOM_CREATED = "on_room_created"
    ON_ROOM_PAUSED = "on_room_paused"
    ON_ROOM_CLOSED = "on_room_closed"
    # Channel lifecycle
    ON_CHANNEL_ATTACHED = "on_channel_attached"
    ON_CHANNEL_DETACHED = "on_channel_detached"
    ON_CHANNEL_MUTED = "on_channel_muted"
    ON_CHANNEL_UNMUTED = "on_channel_unmuted"
    # Identity
    ON_IDENTITY_AMBIGUOUS = "on_identity_ambiguous"
    ON_IDENTITY_UNKNOWN = "on_identity_unknown"
    ON_PARTICIPANT_IDENTIFIED = "on_participant_identified"
    # Voice (audio)
    ON_SPEECH_START = "on_speech_start"
    ON_SPEECH_END = "on_speech_end"
    ON_TRANSCRIPTION = "on_transcription"
    ON_PARTIAL_TRANSCRIPTION = "on_partial_transcription"
    ON_VAD_SILENCE = "on_vad_silence"
    ON_VAD_AUDIO_LEVEL = "on_vad_audio_level"
    ON_INPUT_AUDIO_LEVEL = "on_input_audio_level"
    ON_OUTPUT_AUDIO_LEVEL = "on_output_audio_level"
    # Voice (TTS)
    BEFORE_TTS = "before_tts"
    AFTER_TTS = "after_tts"
    ON_TTS_CANCELLED = "on_tts_cancelled"
    ON_BARGE_IN = "on_barge_in"
    # Voice (pipeline)
    ON_SPEAKER_CHANGE = "on_speaker_change"
    ON_DTMF = "on_dtmf"
    ON_TURN_COMPLETE = "on_turn_complete"
    ON_TURN_INCOMPLETE = "on_turn_incomplete"
    ON_BACKCHANNEL = "on_backchannel"
    ON_RECORDING_STARTED = "on_recording_started"
    ON_RECORDING_STOPPED = "on_recording_stopped"
    ON_SESSION_STARTED = "on_session_started"
    # Realtime voice
    ON_REALTIME_TOOL_CALL = "on_realtime_tool_call"
    ON_REALTIME_TEXT_INJECTED = "on_realtime_text_injected"
    # Orchestration
    ON_PHASE_TRANSITION = "on_phase_transition"
    ON_HANDOFF = "on_handoff"
    ON_HANDOFF_REJECTED = "on_handoff_rejected"
    # AI
    ON_AI_THINKING = "on_ai_thinking"
    # Side effects
    ON_TASK_CREATED = "on_task_created"
    ON_TASK_DELEGATED = "on_task_delegated"
    ON_TASK_COMPLETED = "on_task_completed"
    ON_DELIVERY_STATUS = "on_delivery_status"
    ON_ERROR = "on_error"
    ON_OBSERVATION = "on_observation"
    ON_PROTOCOL_TRACE = "on_protocol_trace"


class IdentificationStatus(StrEnum):
    """Outcome of identity resolution for an inbound sender."""

    IDENTIFIED = "identified"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"
    PENDING = "pending"
    CHALLENGE_SENT = "challenge_sent"
    """The sender was asked to identify themselves (an identity hook's ``challenge``)."""
    REJECTED = "rejected"


class ParticipantRole(StrEnum):
    """The part a participant plays in a room."""

    OWNER = "owner"
    AGENT = "agent"
    MEMBER = "member"
    OBSERVER = "observer"
    BOT = "bot"


class ParticipantStatus(StrEnum):
    """Whether a participant is taking part in the room."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    LEFT = "left"
    BANNED = "banned"


class DeleteType(StrEnum):
    """Who removed a message (:class:`~roomkit.models.content.DeleteContent`)."""

    SENDER = "sender"
    SYSTEM = "system"
    ADMIN = "admin"


class TaskStatus(StrEnum):
    """Lifecycle of a task created by a hook or an agent."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


class EphemeralEventType(StrEnum):
    """Realtime events that are published to subscribers and never stored."""

    TYPING_START = "typing_start"
    TYPING_STOP = "typing_stop"
    PRESENCE_ONLINE = "presence_online"
    PRESENCE_AWAY = "presence_away"
    PRESENCE_OFFLINE = "presence_offline"
    READ_RECEIPT = "read_receipt"
    REACTION = "reaction"
    TOOL_CALL_START = "tool_call_start"
    TOOL_CALL_END = "tool_call_end"
    THINKING_START = "thinking_start"
    THINKING_END = "thinking_end"
    CUSTOM = "custom"


class DeliveryMode(StrEnum):
    """How a channel hands one outbound event to its recipients: to every recipient
    (BROADCAST), to one addressed recipient (DIRECT), or to one recipient in turn
    (ROUND_ROBIN)."""

    BROADCAST = "broadcast"
    DIRECT = "direct"
    ROUND_ROBIN = "round_robin"
