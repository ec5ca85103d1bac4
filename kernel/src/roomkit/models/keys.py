"""The metadata keys and marker values the kernel reserves, in one place.

They sit at the bottom of the layers because the engine, the channels, memory and
orchestration all read or write them: whoever sets a key and whoever reads it import it from
here, never from each other.
"""

from __future__ import annotations

__all__ = [
    "ALWAYS_KEY",
    "INTERNAL_KEY",
    "LANGUAGE_KEY",
    "ROUTE_KEY",
    "STATE_KEY",
    "STREAMED_KEY",
    "STREAM_EVENT_KIND",
]

ROUTE_KEY = "_roomkit_route"
"""``RoomEvent.metadata`` key set by a ``ConversationRouter``: the id of the one agent it
manages that should answer (``None``: none of them). Channels the router does not manage
ignore it."""

ALWAYS_KEY = "_roomkit_always_process"
"""``RoomEvent.metadata`` key set by a ``ConversationRouter`` next to :data:`ROUTE_KEY`: ids of
agents that answer every message whoever it is routed to (the router's supervisor)."""

STREAMED_KEY = "_roomkit_streamed_to"
"""``RoomEvent.metadata`` key of a streamed AI reply: ids of the channels that already received
its text through ``deliver_stream`` (the broadcast does not deliver it to them again)."""

INTERNAL_KEY = "_roomkit_internal"
"""``RoomEvent.metadata`` flag marking orchestration internals that never enter an AI
transcript."""

STATE_KEY = "_roomkit_conversation_state"
"""``Room.metadata`` key holding the serialised ``ConversationState``."""

LANGUAGE_KEY = "_roomkit_language"
"""``Room.metadata`` key holding the room's conversation language (see ``set_language``)."""

STREAM_EVENT_KIND = "ai_stream"
"""``EphemeralEvent.data["kind"]`` of the CUSTOM ephemeral events that carry streamed AI text."""
