"""The default memory: the last N transcript events of the room."""

from __future__ import annotations

from roomkit.errors import ConfigurationError
from roomkit.memory.base import MemoryProvider, MemoryResult
from roomkit.models.content import SystemContent, TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import EventStatus, EventType
from roomkit.models.event import RoomEvent
from roomkit.models.keys import INTERNAL_KEY
from roomkit.store.base import ConversationStore

__all__ = ["SlidingWindowMemory"]

_MESSAGE = EventType.MESSAGE
_BLOCKED = EventStatus.BLOCKED
_TEXT = TextContent


class SlidingWindowMemory(MemoryProvider):
    """The last ``max_events`` transcript events (messages only, internals filtered out).

    It starts from the tail the engine passed in ``context.recent_events``; only when that
    tail holds fewer than ``max_events`` events before the current one and the room holds
    older events does it read one bounded page (``store.get_recent_events``) from the store.
    It asks the engine for that tail (:attr:`recent_events_wanted`), so in a room where its
    channel is bound the page is read with the message's context, not apart.
    """

    def __init__(self, max_events: int = 50) -> None:
        if max_events < 1:
            raise ConfigurationError(f"max_events must be >= 1, got {max_events}")
        self.max_events = max_events

    @property
    def recent_events_wanted(self) -> int:
        """``max_events``: a tail that long, read just before the current event, holds the
        window (the engine loads it in rooms where the channel is bound)."""
        return self.max_events

    async def retrieve(
        self,
        room_id: str,
        current_event: RoomEvent,
        context: RoomContext,
        *,
        channel_id: str | None = None,
        store: ConversationStore | None = None,
    ) -> MemoryResult:
        """The window ending with ``current_event``."""
        source = context.recent_events
        held = len(source)
        # the events before the current one are what the window needs
        before = held - 1 if held and source[-1].id == current_event.id else held
        if store is not None and before < self.max_events and context.room.event_count > held:
            source = await store.get_recent_events(room_id, limit=self.max_events + 1)
        window: list[RoomEvent] = []
        append = window.append
        seen_current = False
        current_id = current_event.id
        current_index = current_event.index
        newer = False  # a kept event at or after the current one's index
        for event in source:
            # is_transcript_event(), inlined: this loop runs for every event of every AI turn.
            # The fields are read from ``__dict__``: one attribute access per event instead of
            # one per field (a pydantic model's attribute access is several times a dict's).
            fields = event.__dict__
            if fields["type"] is not _MESSAGE or fields["status"] is _BLOCKED:
                continue
            if fields["id"] == current_id:
                seen_current = True
                continue
            content, metadata = fields["content"], fields["metadata"]
            # ``type(...) is TextContent`` first: a text is never a SystemContent, and
            # isinstance() against a pydantic class goes through the ABC machinery.
            if (type(content) is _TEXT or not isinstance(content, SystemContent)) and not (
                metadata and INTERNAL_KEY in metadata and metadata[INTERNAL_KEY]
            ):
                append(event)
                if fields["index"] >= current_index:
                    newer = True
        if current_index >= 0 and not seen_current and newer:
            # The tail ended before the current event was stored: keep older events only.
            window = [e for e in window if e.index < current_index]
        window.append(current_event)
        return MemoryResult(events=window[-self.max_events :])
