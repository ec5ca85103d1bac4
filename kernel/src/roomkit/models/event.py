"""Room events (stored, indexed, broadcast) and the messages and results around them."""

import inspect
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from roomkit.deferred import DeferredModel
from roomkit.errors import PermanentProviderError, TransientProviderError
from roomkit.models._construct import construct
from roomkit.models._ids import new_id, utcnow
from roomkit.models.content import EventContent
from roomkit.models.enums import (
    ChannelDirection,
    ChannelType,
    DeliveryStatus,
    EphemeralEventType,
    EventStatus,
    EventType,
)

__all__ = [
    "NO_CHANNEL_DATA",
    "ChannelData",
    "DeliveryResult",
    "EphemeralEvent",
    "EventSource",
    "FrameworkEvent",
    "InboundMessage",
    "InboundResult",
    "ProviderResult",
    "RoomEvent",
]


class EventSource(DeferredModel):
    """Where an event came from: the channel, its direction, and the sender."""

    channel_id: str
    channel_type: ChannelType
    direction: ChannelDirection = ChannelDirection.INBOUND
    participant_id: str | None = None
    external_id: str | None = None
    provider: str | None = None
    #: The vendor's payload the message arrived in (webhooks), as the vendor sent it.
    raw_payload: dict[str, Any] = Field(default_factory=dict)
    #: The vendor's id of the message (its webhook's message id).
    provider_message_id: str | None = None


#: HTTP statuses worth retrying: timeouts, early data, rate limits; every 5xx is too.
_RETRYABLE_HTTP = frozenset({408, 425, 429})


def is_retryable_status(status_code: int) -> bool:
    """Whether a vendor's HTTP answer ``status_code`` is worth retrying (408/425/429/5xx)."""
    return status_code in _RETRYABLE_HTTP or 500 <= status_code <= 599


class ProviderResult(DeferredModel):
    """The outcome of one send through a messaging provider.

    A provider returns a failed result (``success=False``) for vendor failures instead of
    raising: ``retryable`` says whether sending again may work, ``retry_after`` how long the
    vendor asked to wait (seconds), ``status_code`` the vendor's HTTP status.
    """

    success: bool
    provider_message_id: str | None = None
    error: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    retryable: bool = False
    retry_after: float | None = Field(default=None, ge=0)
    status_code: int | None = None

    @classmethod
    def sent(cls, provider_message_id: str | None = None, **metadata: Any) -> "ProviderResult":
        """A successful send."""
        return cls(success=True, provider_message_id=provider_message_id, metadata=metadata)

    @classmethod
    def failed(
        cls,
        error: str,
        *,
        retryable: bool = False,
        status_code: int | None = None,
        retry_after: float | None = None,
        **metadata: Any,
    ) -> "ProviderResult":
        """A failed send; ``retryable`` for failures that may pass later."""
        return cls(
            success=False,
            error=error,
            retryable=retryable,
            status_code=status_code,
            retry_after=retry_after,
            metadata=metadata,
        )

    @classmethod
    def from_http_error(
        cls, status_code: int, error: str, *, retry_after: float | None = None, **metadata: Any
    ) -> "ProviderResult":
        """A failure classified from the vendor's HTTP status (see :func:`is_retryable_status`)."""
        return cls.failed(
            f"HTTP {status_code}: {error}" if error else f"HTTP {status_code}",
            retryable=is_retryable_status(status_code),
            status_code=status_code,
            retry_after=retry_after,
            **metadata,
        )

    def raise_for_failure(self, provider: str = "") -> None:
        """Raise the typed error of a failed result; do nothing on success."""
        if self.success:
            return
        message = self.error or "the provider reported a failure without a reason"
        if provider:
            message = f"{provider}: {message}"
        if self.retryable:
            raise TransientProviderError(
                message,
                provider=provider,
                status_code=self.status_code,
                retry_after=self.retry_after,
            )
        raise PermanentProviderError(message, provider=provider, status_code=self.status_code)


class DeliveryResult(DeferredModel):
    """The outcome of delivering one event to one channel."""

    channel_id: str
    status: DeliveryStatus = DeliveryStatus.SENT
    provider_message_id: str | None = None
    error: str | None = None
    attempts: int = 1
    metadata: dict[str, Any] = Field(default_factory=dict)
    #: What the provider returned for this delivery, when a provider sent it.
    provider_result: ProviderResult | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_outcome(cls, data: Any) -> Any:
        """Accept the 0.6.7 construction: ``success=`` and a ``provider_result`` give the
        status, message id and error when those are not given."""
        if not isinstance(data, dict) or ("success" not in data and "provider_result" not in data):
            return data
        data = dict(data)
        success = data.pop("success", None)
        result = data.get("provider_result")
        if isinstance(result, ProviderResult):
            if success is None:
                success = result.success
            data.setdefault("provider_message_id", result.provider_message_id)
            if not result.success:
                data.setdefault("error", result.error)
        if success is not None and "status" not in data:
            data["status"] = DeliveryStatus.SENT if success else DeliveryStatus.FAILED
        return data

    @classmethod
    def model_rebuild(
        cls,
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Any = None,
    ) -> bool | None:
        """Build the model as pydantic does, then give it the signature with ``success``."""
        built = super().model_rebuild(
            force=force,
            raise_errors=raise_errors,
            _parent_namespace_depth=_parent_namespace_depth + 1,
            _types_namespace=_types_namespace,
        )
        if cls.__pydantic_complete__ and "__signature__" in cls.__dict__:
            cls.__signature__ = _signature_with_success(cls)
        return built

    @property
    def success(self) -> bool:
        """Whether the delivery went through."""
        return self.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)


class ChannelData(DeferredModel):
    """What the channel an event came through knows about it: the vendor, the vendor's message
    id, the conversation thread, and anything else vendor-specific (``extra``).

    Immutable: give an event other channel data with
    ``event.channel_data = ChannelData(thread_id=...)``.
    """

    model_config = ConfigDict(frozen=True)

    provider: str | None = None
    external_id: str | None = None
    thread_id: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class _SharedExtra(dict[str, Any]):
    """``extra`` of :data:`NO_CHANNEL_DATA`, which every event without channel data shares:
    read-only (a copy is a plain dict)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "this ChannelData is shared by events without channel data; assign "
            "event.channel_data = ChannelData(extra={...}) instead"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> dict[str, Any]:
        return {}

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {}


#: The channel data of events that carry none (shared, so creating an event costs nothing).
NO_CHANNEL_DATA = construct(
    ChannelData, {"provider": None, "external_id": None, "thread_id": None, "extra": _SharedExtra()}
)


class RoomEvent(DeferredModel):
    """One stored entry of a room's timeline.

    ``index`` is assigned by the store: unique and gap-free per room, starting at 0.
    ``visibility`` says who receives it: ``"all"``, ``"none"`` (stored only),
    ``"transport"``, ``"intelligence"``, or a comma-separated list of channel ids.
    """

    id: str = Field(default_factory=new_id)
    room_id: str
    type: EventType = EventType.MESSAGE
    source: EventSource
    content: EventContent
    status: EventStatus = EventStatus.PENDING
    visibility: str = "all"
    index: int = -1
    chain_depth: int = Field(default=0, ge=0)
    parent_event_id: str | None = None
    correlation_id: str | None = None
    idempotency_key: str | None = None
    blocked_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    delivery_results: dict[str, DeliveryResult] = Field(default_factory=dict)
    channel_data: ChannelData = NO_CHANNEL_DATA
    metadata: dict[str, Any] = Field(default_factory=dict)


def _signature_with_success(model: type[DeliveryResult]) -> inspect.Signature:
    """The constructor's real signature: the fields plus ``success`` (taken by the validator)."""
    fields = inspect.signature(model)
    params = list(fields.parameters.values())
    if any(param.name == "success" for param in params):
        return fields
    success = inspect.Parameter(
        "success", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="bool | None"
    )
    return fields.replace(parameters=[params[0], success, *params[1:]])


class InboundMessage(DeferredModel):
    """A message arriving from outside through a channel, before it becomes a room event."""

    channel_id: str = Field(min_length=1)
    sender_id: str = Field(min_length=1)
    content: EventContent
    event_type: EventType = EventType.MESSAGE
    room_id: str | None = None
    external_id: str | None = None
    thread_id: str | None = None
    idempotency_key: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    #: The vendor's payload (set by webhook parsers); kept on the event's source.
    raw_payload: dict[str, Any] = Field(default_factory=dict)
    session: Any = Field(default=None, exclude=True)
    """A live session the message announces (a :class:`~roomkit.voice.VoiceSession` built by
    :func:`~roomkit.voice.parse_voice_session`): ``process_inbound`` then connects the session
    to the room instead of storing a message. Never serialised."""


class InboundResult(DeferredModel):
    """What ``process_inbound`` did with a message.

    ``duplicate`` is true when the idempotency key was already seen: nothing new was stored and
    ``event`` is the event stored the first time.
    """

    room_id: str | None = None
    event: RoomEvent | None = None
    blocked: bool = False
    reason: str | None = None
    duplicate: bool = False
    responses: list[RoomEvent] = Field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """Whether the message was stored (now or the first time it was seen)."""
        return self.event is not None and not self.blocked

    @property
    def failures(self) -> dict[str, DeliveryResult]:
        """The deliveries of the message that failed, by channel id (an AI channel whose
        provider failed or timed out, a transport whose send failed ...); empty when every
        delivery went through. Read from ``event.delivery_results``."""
        if self.event is None or not self.event.delivery_results:
            return {}
        return {
            channel_id: result
            for channel_id, result in self.event.delivery_results.items()
            if result.status is DeliveryStatus.FAILED
        }


_EPHEMERAL_POSITIONAL = ("room_id", "type", "user_id", "id", "channel_id", "data", "timestamp")


class EphemeralEvent(DeferredModel):
    """A realtime signal (typing, presence, receipts, tool calls) that is never stored.

    Built with keywords or, as in RoomKit 0.6.7, positionally in the order ``room_id, type,
    user_id, id, channel_id, data, timestamp``. :meth:`to_dict` / :meth:`from_dict` give the
    JSON-ready form (enum values and an ISO 8601 timestamp).
    """

    id: str = Field(default_factory=new_id)
    room_id: str
    type: EphemeralEventType
    user_id: str | None = None
    channel_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    timestamp: datetime = Field(default_factory=utcnow)

    def __init__(self, *args: Any, **fields: Any) -> None:
        if len(args) > len(_EPHEMERAL_POSITIONAL):
            raise TypeError(
                f"EphemeralEvent takes at most {len(_EPHEMERAL_POSITIONAL)} positional "
                f"arguments ({', '.join(_EPHEMERAL_POSITIONAL)}), got {len(args)}"
            )
        for name, value in zip(_EPHEMERAL_POSITIONAL, args, strict=False):
            if name in fields:
                raise TypeError(f"EphemeralEvent got two values for {name!r}")
            fields[name] = value
        super().__init__(**fields)

    @property
    def created_at(self) -> datetime:
        """The same as :attr:`timestamp`."""
        return self.timestamp

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready values."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EphemeralEvent":
        """The event :meth:`to_dict` produced (validated)."""
        return cls.model_validate(data)


class FrameworkEvent(DeferredModel):
    """Something the engine did, for observers registered with ``RoomKit.on(type)``.

    ``type`` names it (``"room_created"``, ``"event_processed"``, ``"delivery_failed"`` ...;
    see :data:`roomkit.core.framework_events.FRAMEWORK_EVENT_TYPES`); ``data`` holds details.
    """

    type: str
    room_id: str | None = None
    channel_id: str | None = None
    event_id: str | None = None
    timestamp: datetime = Field(default_factory=utcnow)
    data: dict[str, Any] = Field(default_factory=dict)
