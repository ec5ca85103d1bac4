"""The read-only view of a room handed to hooks, channels and AI providers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room

__all__ = ["RoomContext"]


class RoomContext(BaseModel):
    """A snapshot of a room: the room, its bindings, and the tail of its timeline.

    ``recent_events`` holds only the last few events (the engine's ``context_events`` setting),
    never the whole history, so building a context costs the same in a room of any age.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    room: Room
    bindings: list[ChannelBinding] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    recent_events: list[RoomEvent] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def binding_for(self, channel_id: str) -> ChannelBinding | None:
        """The binding of ``channel_id`` in this room, if attached."""
        for binding in self.bindings:
            if binding.channel_id == channel_id:
                return binding
        return None
