"""The default memory: the last N transcript events of the room."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress
from operator import attrgetter, is_

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
_MAX_ROOMS = 1024  # rooms whose last scan is kept (the oldest is dropped)
_SHIFT_LIMIT = 8  # how far into its last scan a room's new tail may start and still reuse it

_fields_of = attrgetter("__dict__")


def _is_transcript(event: RoomEvent) -> bool:
    """:func:`~roomkit.memory.base.is_transcript_event`, inlined: it runs for every event
    entering a window. The fields are read from ``__dict__``: one attribute access per event
    instead of one per field (a pydantic model's attribute access is several times a dict's)."""
    fields = _fields_of(event)
    if fields["type"] is not _MESSAGE or fields["status"] is _BLOCKED:
        return False
    content, metadata = fields["content"], fields["metadata"]
    # ``type(...) is TextContent`` first: a text is never a SystemContent, and isinstance()
    # against a pydantic class goes through the ABC machinery.
    return (type(content) is _TEXT or not isinstance(content, SystemContent)) and not (
        metadata and INTERNAL_KEY in metadata and metadata[INTERNAL_KEY]
    )


@dataclass(slots=True)
class _Scan:
    """A room's last scanned tail and whether each of its events is a transcript event. The
    room's next tail is mostly the same event objects shifted by those added since: they are
    found by identity (in C) and only the new events are judged."""

    source: list[RoomEvent]
    transcript: list[bool]


def _judge(source: list[RoomEvent], scan: _Scan | None) -> list[bool]:
    """Whether each event of ``source`` is a transcript event, reusing ``scan`` for the same
    event objects in the same order."""
    if scan is not None and source:
        old = scan.source
        first = source[0]
        for shift in range(min(len(old), _SHIFT_LIMIT)):
            if old[shift] is first:
                kept = len(old) - shift
                if kept <= len(source) and all(map(is_, source[:kept], old[shift:])):
                    return scan.transcript[shift:] + list(map(_is_transcript, source[kept:]))
                break
    return list(map(_is_transcript, source))


class SlidingWindowMemory(MemoryProvider):
    """The last ``max_events`` transcript events (messages only, internals filtered out).

    It starts from the tail the engine passed in ``context.recent_events``; only when that
    tail holds fewer than ``max_events`` events before the current one and the room holds
    older events does it read one bounded page (``store.get_recent_events``) from the store.
    It asks the engine for that tail (:attr:`recent_events_wanted`), so in a room where its
    channel is bound the page is read with the message's context, not apart.

    Consecutive turns in a room see mostly the same tail: an event is judged (message, not
    blocked, not internal) when it enters the tail and the judgement is kept while the same
    event object stays there. A stored event changed in place is therefore not judged again;
    store a changed copy (``model_copy(update=...)`` and ``update_event``), as stores that
    read back copies require anyway.
    """

    def __init__(self, max_events: int = 50) -> None:
        if max_events < 1:
            raise ConfigurationError(f"max_events must be >= 1, got {max_events}")
        self.max_events = max_events
        self._scans: dict[str, _Scan] = {}

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
        scans = self._scans
        transcript = _judge(source, scans.pop(room_id, None))
        if len(scans) >= _MAX_ROOMS:
            del scans[next(iter(scans))]
        scans[room_id] = _Scan(source, transcript)
        window = list(compress(source, transcript))
        current_id = current_event.id
        current_index = current_event.index
        if window and (current_index < 0 or window[-1].index >= current_index):
            window = self._around(window, current_id, current_index)
        window.append(current_event)
        return MemoryResult(events=window[-self.max_events :])

    @staticmethod
    def _around(window: list[RoomEvent], current_id: str, current_index: int) -> list[RoomEvent]:
        """The transcript events of a tail that may hold the current event or later ones:
        without the current event, and when the tail ended before the current event was
        stored (it holds later events but not the current one), only the older ones."""
        seen_current = any(e.id == current_id for e in window)
        if seen_current:
            window = [e for e in window if e.id != current_id]
        if current_index >= 0 and not seen_current:
            window = [e for e in window if e.index < current_index]
        return window

    async def clear(self, room_id: str) -> None:
        """Forget the room's last scanned tail."""
        self._scans.pop(room_id, None)
