"""What hooks and intelligence channels hand back to the engine, and how hooks are registered."""

from collections.abc import Awaitable, Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, field_validator

from roomkit.deferred import DeferredModel
from roomkit.models._construct import set_dict, set_extra, set_fields, set_private
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelDirection,
    ChannelType,
    HookExecution,
    HookTrigger,
    IdentificationStatus,
)
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Identity
from roomkit.models.task import Observation, Task

__all__ = [
    "ChannelOutput",
    "ErrorReporter",
    "HookFn",
    "HookRegistration",
    "HookResult",
    "IdentityHookFn",
    "IdentityHookResult",
    "InjectedEvent",
    "SyncOutcome",
]

_new = object.__new__


class InjectedEvent(DeferredModel):
    """An event a hook adds to the room as a side effect, stored and broadcast after the event
    the hook ran for. ``target_channel_ids`` limits who receives it (the event's visibility
    becomes that list); ``None`` keeps the event's own visibility."""

    event: RoomEvent
    target_channel_ids: list[str] | None = None

    def as_event(self) -> RoomEvent:
        """The event to admit, its visibility narrowed to ``target_channel_ids`` when set."""
        if not self.target_channel_ids:
            return self.event
        visibility = ",".join(self.target_channel_ids)
        return self.event.model_copy(update={"visibility": visibility})


class HookResult(DeferredModel):
    """The verdict of a sync hook: let the event through, stop it, or replace it.

    Any hook may also inject events (stored and broadcast after the current one), and create
    tasks and observations.
    """

    action: Literal["allow", "block", "modify"] = "allow"
    event: RoomEvent | None = None
    reason: str | None = None
    injected_events: list[RoomEvent | InjectedEvent] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def allow(cls, injected: list[InjectedEvent] | None = None, **kwargs: Any) -> "HookResult":
        """Let the event continue unchanged (``injected``: events to add after it)."""
        if injected is None and not kwargs and cls is HookResult:
            # The common verdict carries nothing to validate: every other field is its default
            # (what ``construct`` makes, written out: this runs for every hook that allows).
            result = _new(cls)
            set_dict(
                result,
                {
                    "action": "allow",
                    "event": None,
                    "reason": None,
                    "injected_events": [],
                    "tasks": [],
                    "observations": [],
                    "metadata": {},
                },
            )
            set_fields(result, {"action"})
            set_extra(result, None)
            set_private(result, None)
            return result
        return cls(action="allow", **_with_injected(injected, kwargs))

    @classmethod
    def block(
        cls,
        reason: str = "",
        injected: list[InjectedEvent] | None = None,
        tasks: list[Task] | None = None,
        observations: list[Observation] | None = None,
        **kwargs: Any,
    ) -> "HookResult":
        """Stop the event: it is stored as blocked and not broadcast. ``injected`` events
        (a reply to the sender, say) are still added; ``tasks`` and ``observations`` stored."""
        if tasks is not None:
            kwargs["tasks"] = tasks
        if observations is not None:
            kwargs["observations"] = observations
        return cls(action="block", reason=reason, **_with_injected(injected, kwargs))

    @classmethod
    def modify(
        cls, event: RoomEvent, injected: list[InjectedEvent] | None = None, **kwargs: Any
    ) -> "HookResult":
        """Replace the event with ``event`` for the rest of the pipeline."""
        return cls(action="modify", event=event, **_with_injected(injected, kwargs))


def _with_injected(injected: list[InjectedEvent] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with ``injected`` (RoomKit 0.6.7's name) as ``injected_events``."""
    if injected is not None:
        if "injected_events" in kwargs:
            raise TypeError("give injected or injected_events, not both")
        kwargs["injected_events"] = injected
    return kwargs


class ChannelOutput(DeferredModel):
    """What a channel produced when it was given an event.

    Transport channels usually return :meth:`empty`; intelligence channels return the events
    they generated (``responded=True``), which the engine stores and broadcasts in turn.
    """

    responded: bool = False
    response_events: list[RoomEvent] = Field(default_factory=list)
    response_stream: Any = None  # AsyncIterator[str] | None, checked by _check_stream
    """Text of one reply, as it is generated: the engine streams it to the room's channels
    that support streaming delivery, then stores and broadcasts the whole reply."""
    tasks: list[Task] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    metadata_updates: dict[str, Any] = Field(default_factory=dict)
    """Keys to set in the room's metadata (top level) once the channel's turn is over."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    """Set when the channel failed to do its work (an AI channel whose provider failed) but
    caught and reported the failure itself: the engine records a FAILED delivery with this
    text on the event (``delivery_results``), counts it against the channel's circuit
    breaker, and does not report it to ``ON_ERROR`` a second time. Events and other effects
    of the output are still acted on."""

    @field_validator("response_stream", mode="before")
    @classmethod
    def _check_stream(cls, value: Any) -> Any:
        if value is not None and not hasattr(value, "__anext__"):
            raise ValueError(
                "response_stream must be an async iterator of str (an async generator), "
                f"got {type(value).__name__}"
            )
        return value

    @classmethod
    def empty(cls) -> "ChannelOutput":
        """Nothing produced."""
        return cls()

    @property
    def has_effects(self) -> bool:
        """Whether the engine has something to do with it (events, tasks, observations or
        metadata updates to store)."""
        return bool(
            self.response_events
            or self.tasks
            or self.observations
            or self.metadata_updates
            or self.response_stream is not None
        )


HookFn = Callable[[Any, RoomContext], Awaitable[Any]]
"""``async def hook(payload, ctx) -> HookResult | None``."""


@dataclass(slots=True)
class HookRegistration:
    """One registered hook and the filters that decide which payloads it sees.

    Fields in RoomKit 0.6.7's order: ``HookRegistration(trigger, execution, fn, priority,
    name, timeout, ...)``. An empty ``name`` is replaced by the function's name when the hook
    is registered; ``timeout=None`` uses the kit's ``hook_timeout``. ``channel_types``,
    ``channel_ids`` and ``directions`` are matched against the payload's ``source`` (a
    :class:`~roomkit.models.EventSource`); ``None`` means "any". A hook with a filter never
    sees payloads that have no ``source``. ``seq`` is set by the hook engine (registration
    order, the tie-break between equal priorities).
    """

    trigger: HookTrigger
    execution: HookExecution
    fn: HookFn
    priority: int = 0
    name: str = ""
    timeout: float | None = None
    channel_types: AbstractSet[ChannelType] | None = None
    channel_ids: AbstractSet[str] | None = None
    directions: AbstractSet[ChannelDirection] | None = None
    seq: int = 0

    @property
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return not (
            self.channel_types is None and self.channel_ids is None and self.directions is None
        )

    def matches(self, payload: Any) -> bool:
        """Whether this hook should see ``payload``."""
        if self.channel_types is None and self.channel_ids is None and self.directions is None:
            return True
        source = getattr(payload, "source", None)
        if source is None:
            return False
        if self.channel_types is not None and source.channel_type not in self.channel_types:
            return False
        if self.channel_ids is not None and source.channel_id not in self.channel_ids:
            return False
        return self.directions is None or source.direction in self.directions


@dataclass(slots=True)
class SyncOutcome:
    """What the sync hooks of one trigger decided about one event."""

    event: Any
    blocked: bool = False
    reason: str | None = None
    blocked_by: str | None = None
    injected_events: list[RoomEvent | InjectedEvent] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        """Whether the event goes on (no hook blocked it)."""
        return not self.blocked


ErrorReporter = Callable[[HookRegistration, Any, RoomContext, BaseException], Awaitable[None]]


class IdentityHookResult(DeferredModel):
    """What an identity hook (``RoomKit.identity_hook``) decided about an unknown or ambiguous
    sender. Build it with one of the class methods:

    * :meth:`resolved` - the sender is ``identity``: the participant is IDENTIFIED;
    * :meth:`pending` - keep the sender PENDING (with a display name and the candidate
      identities) until someone calls ``RoomKit.resolve_participant``;
    * :meth:`challenge` - hold the message (stored as blocked) and send ``inject`` (a question
      asking the sender to identify themselves); the participant is CHALLENGE_SENT;
    * :meth:`reject` - refuse the message (stored as blocked) and mark the sender REJECTED.
    """

    status: IdentificationStatus
    identity: Identity | None = None
    display_name: str | None = None
    candidates: list[Identity] | None = None
    inject: InjectedEvent | None = None
    reason: str | None = None
    challenge_type: str | None = None
    message: str | None = None

    @classmethod
    def resolved(cls, identity: Identity) -> "IdentityHookResult":
        """The sender is ``identity``."""
        return cls(status=IdentificationStatus.IDENTIFIED, identity=identity)

    @classmethod
    def pending(
        cls, display_name: str | None = None, candidates: list[Identity] | None = None
    ) -> "IdentityHookResult":
        """Not known yet: keep the participant PENDING until it is resolved by hand."""
        return cls(
            status=IdentificationStatus.PENDING, display_name=display_name, candidates=candidates
        )

    @classmethod
    def challenge(cls, inject: InjectedEvent, message: str | None = None) -> "IdentityHookResult":
        """Hold the message and ask the sender to identify themselves with ``inject``."""
        return cls(status=IdentificationStatus.CHALLENGE_SENT, inject=inject, message=message)

    @classmethod
    def reject(cls, reason: str = "Unknown sender") -> "IdentityHookResult":
        """Refuse the message."""
        return cls(status=IdentificationStatus.REJECTED, reason=reason)


IdentityHookFn = Callable[[RoomEvent, RoomContext, Any], Awaitable["IdentityHookResult | None"]]
"""``async def hook(event, ctx, identity_result) -> IdentityHookResult | None``."""
