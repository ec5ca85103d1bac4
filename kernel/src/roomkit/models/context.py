"""The read-only view of a room handed to hooks, channels and AI providers."""

from typing import Any

from pydantic import ConfigDict, Field

from roomkit.deferred import DeferredModel
from roomkit.models.enums import ChannelType
from roomkit.models.event import RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import ChannelBinding, Room

__all__ = ["RoomContext"]


class RoomContext(DeferredModel):
    """A snapshot of a room: the room, its bindings, and the tail of its timeline.

    ``recent_events`` holds only the last few events (the engine's ``context_events`` setting;
    in a room where a bound channel asks for more, such as an AI channel whose memory window
    is longer, that many), never the whole history, so building a context costs the same in
    a room of any age.

    ``participants`` is bounded the same way in the contexts the engine hands to hooks and
    channels for a message: it holds the message's sender (when a participant), not the
    whole membership, so a message costs the same in a room of any size. Contexts of room
    and channel lifecycle hooks and ``RoomKit.build_context(room_id)`` hold every participant;
    ``await kit.store.list_participants(room_id)`` reads them from anywhere.
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

    def get_binding(self, channel_id: str) -> ChannelBinding | None:
        """The binding of ``channel_id`` in this room, if attached (RoomKit 0.6.7's name)."""
        return self.binding_for(channel_id)

    def other_channels(self, exclude_channel_id: str) -> list[ChannelBinding]:
        """Every binding except that of ``exclude_channel_id``."""
        return [b for b in self.bindings if b.channel_id != exclude_channel_id]

    def channels_by_type(self, channel_type: ChannelType) -> list[ChannelBinding]:
        """The bindings of channels of ``channel_type``."""
        return [b for b in self.bindings if b.channel_type == channel_type]

    def participant(self, participant_id: str) -> Participant | None:
        """The participant ``participant_id`` if this context carries it (see above)."""
        for participant in self.participants:
            if participant.id == participant_id:
                return participant
        return None
