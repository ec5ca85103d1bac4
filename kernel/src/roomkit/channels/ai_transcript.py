"""The transcript an AI channel sends: room events as model messages, kept across turns.

Each event is converted once (:meth:`~roomkit.channels.ai.AIChannel.event_to_message`) and the
message reused while the event keeps its content object. A room's next window is mostly its
previous one shifted by the events added since (the last reply and the new message), so the
previous window's messages are reused as one slice when the same event objects are found in
the same order (compared in C), and only the new events are looked up. As for the memory's
window (:class:`~roomkit.memory.sliding_window.SlidingWindowMemory`), a stored event changed
in place is not converted again while it stays in the room's window; a changed copy is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter, is_

from roomkit.models.ai import AIMessage
from roomkit.models.event import RoomEvent

__all__ = ["Transcripts"]

_CACHE_SIZE = 4096  # converted events kept per vision setting (cleared when full)
_MAX_ROOMS = 1024  # rooms whose last window is kept (the oldest is dropped)
_SHIFT_LIMIT = 8  # how far into its last window a room's new window may start

_fields_of = attrgetter("__dict__")

Convert = Callable[[RoomEvent, bool], AIMessage]


class Transcripts:
    """One channel's converted messages: per event (by id and content object) and per room
    (its last window)."""

    def __init__(self) -> None:
        # Per vision setting: event id -> (the content converted, its message).
        self._messages: tuple[dict[str, tuple[object, AIMessage]], ...] = ({}, {})
        # (room id, vision) -> the last window: its events and their messages.
        self._windows: dict[tuple[str, bool], tuple[Sequence[RoomEvent], list[AIMessage]]] = {}

    def messages(
        self, room_id: str, events: Sequence[RoomEvent], vision: bool, convert: Convert
    ) -> list[AIMessage]:
        """The messages for ``events`` (a room's window, oldest first); ``convert`` makes the
        message of an event not seen with its content before."""
        key = (room_id, vision)
        windows = self._windows
        last = windows.pop(key, None)
        messages: list[AIMessage] | None = None
        if last is not None and events:
            old_events, old_messages = last
            first = events[0]
            for shift in range(min(len(old_events), _SHIFT_LIMIT)):
                if old_events[shift] is first:
                    kept = len(old_events) - shift
                    if kept <= len(events) and all(map(is_, events[:kept], old_events[shift:])):
                        messages = old_messages[shift:]
                        messages += self._each(events[kept:], vision, convert)
                    break
        if messages is None:
            messages = self._each(events, vision, convert)
        if len(windows) >= _MAX_ROOMS:
            del windows[next(iter(windows))]
        windows[key] = (events, messages)
        return list(messages)

    def _each(self, events: Sequence[RoomEvent], vision: bool, convert: Convert) -> list[AIMessage]:
        """Messages event by event, converted once per event and content object."""
        cache = self._messages[vision]
        messages: list[AIMessage] = []
        append = messages.append
        for event in events:
            fields = _fields_of(event)  # one attribute access for the two fields read below
            event_id, content = fields["id"], fields["content"]
            hit = cache.get(event_id)
            if hit is not None and hit[0] is content:
                append(hit[1])
                continue
            message = convert(event, vision)
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[event_id] = (content, message)
            append(message)
        return messages
