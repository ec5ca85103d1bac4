"""Rooms, their lifecycle timers, and the channel bindings that attach channels to them."""

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from roomkit.deferred import DeferredModel
from roomkit.models._ids import new_id, utcnow
from roomkit.models.enums import (
    Access,
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    DeliveryMode,
    RoomStatus,
)

__all__ = [
    "AIConfig",
    "AITool",
    "ChannelBinding",
    "ChannelCapabilities",
    "RateLimit",
    "RetryPolicy",
    "Room",
    "RoomTimers",
]


class AITool(DeferredModel):
    """A function the model may call; ``parameters`` is a JSON Schema object."""

    name: str = Field(min_length=1, max_length=128)
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class AIConfig(DeferredModel):
    """Per-room AI settings that override the AI channel's defaults."""

    system_prompt: str | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0)
    model: str | None = None
    tools: list[AITool] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class RoomTimers(DeferredModel):
    """Inactivity timers: ACTIVE becomes PAUSED, then PAUSED becomes CLOSED.

    Idle time counts from the room's last activity: the latest of ``last_activity_at`` (here
    or on the room) and the room's newest event.
    """

    inactive_after_seconds: float | None = Field(default=None, gt=0)
    closed_after_seconds: float | None = Field(default=None, gt=0)
    last_activity_at: datetime | None = None


class Room(DeferredModel):
    """A conversation: the unit that channels attach to and events are stored in."""

    id: str = Field(default_factory=new_id)
    organization_id: str | None = None
    status: RoomStatus = RoomStatus.ACTIVE
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    timers: RoomTimers | None = None
    ai_config: AIConfig | None = None
    event_count: int = 0
    latest_index: int = -1
    metadata: dict[str, Any] = Field(default_factory=dict)


class RetryPolicy(DeferredModel):
    """Retries of a failed delivery with exponential backoff (``base * factor**attempt``)."""

    max_retries: int = Field(default=3, ge=0, le=20)
    base_delay_seconds: float = Field(default=1.0, ge=0)
    max_delay_seconds: float = Field(default=60.0, ge=0)
    exponential_base: float = Field(default=2.0, ge=1.0)

    def delay_for(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        delay: float = self.base_delay_seconds * (self.exponential_base**attempt)
        return min(delay, self.max_delay_seconds)


class RateLimit(DeferredModel):
    """Token-bucket limits; any combination of the three windows may be set."""

    max_per_second: float | None = Field(default=None, gt=0)
    max_per_minute: float | None = Field(default=None, gt=0)
    max_per_hour: float | None = Field(default=None, gt=0)


class ChannelCapabilities(DeferredModel):
    """What a channel can carry; the engine transcodes content to fit these."""

    media_types: list[ChannelMediaType] = Field(default_factory=lambda: [ChannelMediaType.TEXT])
    max_length: int | None = Field(default=None, gt=0)
    supports_threading: bool = False
    supports_typing: bool = False
    supports_read_receipts: bool = False
    supports_reactions: bool = False
    supports_edit: bool = False
    supports_delete: bool = False
    supports_streaming: bool = False
    supports_buttons: bool = False
    max_buttons: int | None = None
    supports_cards: bool = False
    supports_quick_replies: bool = False
    supports_templates: bool = False
    delivery_receipts: bool = False
    supports_rich_text: bool = False
    supports_media: bool = False
    supported_media_types: list[str] = Field(default_factory=list)
    """MIME types the channel accepts for media (empty: any)."""
    max_media_size_bytes: int | None = Field(default=None, gt=0)
    supports_audio: bool = False
    max_audio_duration_seconds: float | None = Field(default=None, gt=0)
    supported_audio_formats: list[str] = Field(default_factory=list)
    supports_video: bool = False
    max_video_duration_seconds: float | None = Field(default=None, gt=0)
    supported_video_formats: list[str] = Field(default_factory=list)
    delivery_mode: DeliveryMode = DeliveryMode.BROADCAST
    custom: dict[str, Any] = Field(default_factory=dict)
    """Vendor-specific capabilities."""

    def accepts(self, media_type: ChannelMediaType) -> bool:
        """Whether content of this family can be delivered as is."""
        return media_type in self.media_types


# Read once here: an enum member read through its class costs far more than a global.
_READABLE = (Access.READ_WRITE, Access.READ_ONLY)
_WRITABLE = (Access.READ_WRITE, Access.WRITE_ONLY)


class ChannelBinding(DeferredModel):
    """The attachment of one channel to one room, with its per-room settings."""

    room_id: str
    channel_id: str
    channel_type: ChannelType
    category: ChannelCategory = ChannelCategory.TRANSPORT
    direction: ChannelDirection = ChannelDirection.BIDIRECTIONAL
    access: Access = Access.READ_WRITE
    muted: bool = False
    visibility: str = "all"
    participant_id: str | None = None
    capabilities: ChannelCapabilities = Field(default_factory=ChannelCapabilities)
    retry_policy: RetryPolicy | None = None
    rate_limit: RateLimit | None = None
    last_read_index: int | None = None
    """Index of the last event this channel read, as recorded by ``RoomKit.mark_read`` /
    ``mark_all_read`` (``None``: nothing marked)."""
    attached_at: datetime = Field(default_factory=utcnow)
    metadata: dict[str, Any] = Field(default_factory=dict)

    model_config = ConfigDict(validate_assignment=False)

    @model_validator(mode="after")
    def _check_ids(self) -> "ChannelBinding":
        if not self.room_id or not self.channel_id:
            raise ValueError("room_id and channel_id must be non-empty")
        return self

    @property
    def can_read(self) -> bool:
        """Whether events of the room are delivered to this channel."""
        return self.access in _READABLE

    @property
    def can_write(self) -> bool:
        """Whether this channel may post events into the room."""
        return self.access in _WRITABLE
