"""What hooks and intelligence channels hand back to the engine, and how hooks are registered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, ChannelType, HookExecution, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.models.task import Observation, Task

__all__ = [
    "ChannelOutput",
    "ErrorReporter",
    "HookFn",
    "HookRegistration",
    "HookResult",
    "SyncOutcome",
]


class HookResult(BaseModel):
    """The verdict of a sync hook: let the event through, stop it, or replace it.

    Any hook may also inject events (stored and broadcast after the current one), and create
    tasks and observations.
    """

    action: Literal["allow", "block", "modify"] = "allow"
    event: RoomEvent | None = None
    reason: str | None = None
    injected_events: list[RoomEvent] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def allow(cls, **kwargs: Any) -> HookResult:
        """Let the event continue unchanged."""
        return cls(action="allow", **kwargs)

    @classmethod
    def block(cls, reason: str = "", **kwargs: Any) -> HookResult:
        """Stop the event: it is stored as blocked and not broadcast."""
        return cls(action="block", reason=reason, **kwargs)

    @classmethod
    def modify(cls, event: RoomEvent, **kwargs: Any) -> HookResult:
        """Replace the event with ``event`` for the rest of the pipeline."""
        return cls(action="modify", event=event, **kwargs)


class ChannelOutput(BaseModel):
    """What a channel produced when it was given an event.

    Transport channels usually return :meth:`empty`; intelligence channels return the events
    they generated (``responded=True``), which the engine stores and broadcasts in turn.
    """

    responded: bool = False
    response_events: list[RoomEvent] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def empty(cls) -> ChannelOutput:
        """Nothing produced."""
        return cls()


HookFn = Callable[[Any, RoomContext], Awaitable[Any]]
"""``async def hook(payload, ctx) -> HookResult | None``."""


@dataclass(slots=True)
class HookRegistration:
    """One registered hook and the filters that decide which payloads it sees.

    ``channel_types``, ``channel_ids`` and ``directions`` are matched against the payload's
    ``source`` (a :class:`~roomkit.models.EventSource`); ``None`` means "any". A hook with a
    filter never sees payloads that have no ``source``.
    """

    trigger: HookTrigger
    fn: HookFn
    name: str
    execution: HookExecution = HookExecution.ASYNC
    priority: int = 0
    timeout: float | None = None
    channel_types: frozenset[ChannelType] | None = None
    channel_ids: frozenset[str] | None = None
    directions: frozenset[ChannelDirection] | None = None
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
    injected_events: list[RoomEvent] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


ErrorReporter = Callable[[HookRegistration, Any, RoomContext, BaseException], Awaitable[None]]
