"""What hooks and intelligence channels hand back to the engine."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from roomkit.models.event import RoomEvent
from roomkit.models.task import Observation, Task

__all__ = ["ChannelOutput", "HookResult"]


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
