"""The newest events of each room, held by this process so that a snapshot read receives only
the events stored since the last one.

Every message reads its room's context, which holds the room's last ``recent`` events (20 by
default). Between two messages of a room usually one or two events were stored, so receiving
all of them again (their text, then a decoded copy) is most of the read's client cost.
:class:`RecentTexts` keeps, per room, the newest events this process has read (decoded), and
the snapshot statement is told the last index kept; PostgreSQL then sends only the
events after it, in the same round trip.

What makes the kept tail safe when other processes write the room too:

* Indexes are gap-free and committed in order (the index is taken with the room row's lock,
  held until the event commits), so the events after the last kept index are exactly the ones
  the tail lacks; the room's ``next_index``, read in the same statement, says how many to
  expect, and anything else (a row deleted by hand) makes the caller read the whole tail again.
* An event's text changes only through ``update_event``, whose statement also bumps the room's
  ``edits`` counter; a room deleted and created again has a new ``seq``. The statement sends
  events after the kept index only while ``seq`` and ``edits`` are still what the tail was read
  with, and the whole window otherwise. A row changed by hand must bump ``rooms.edits`` too.

The store keeps the decoded events (one per stored text, decoded once) and hands the same
objects to every context of the room, as the in-memory store does: the store contract lets
returned objects be shared, and changing one means calling ``update_event``, which bumps
``edits`` (so every process reads the window again). A shallow copy per event and message
cost a quarter of the client's instructions for a text message. Bounded: the least recently
read room is dropped past ``rooms``.
"""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["RecentTexts", "Tail"]

T = TypeVar("T")


class Tail(Generic[T]):
    """The newest events of one room as read: ``texts`` (decoded) end at index ``last``.

    ``seq`` and ``edits`` are the room row's values when read; ``complete`` is true when
    ``texts`` holds every event of the room (nothing older exists). Never changed once built.
    """

    __slots__ = ("complete", "edits", "last", "seq", "texts")

    def __init__(self, seq: int, edits: int, last: int, texts: list[T], complete: bool) -> None:
        self.seq = seq
        self.edits = edits
        self.last = last
        self.texts = texts
        self.complete = complete


class RecentTexts(Generic[T]):
    """The :class:`Tail` of up to ``rooms`` rooms (least recently read dropped first)."""

    __slots__ = ("_rooms", "_tails")

    def __init__(self, rooms: int = 256) -> None:
        if rooms < 1:
            raise ValueError("rooms must be at least 1")
        self._tails: dict[str, Tail[T]] = {}
        self._rooms = rooms

    def __len__(self) -> int:
        return len(self._tails)

    def usable(self, room_id: str, recent: int) -> Tail[T] | None:
        """The kept tail of ``room_id`` if it can serve a window of ``recent`` events."""
        tail = self._tails.get(room_id)
        if tail is None or (len(tail.texts) < recent and not tail.complete):
            return None
        return tail

    def merge(
        self,
        room_id: str,
        sent: Tail[T] | None,
        seq: int,
        edits: int,
        next_index: int,
        texts: list[T],
        recent: int,
    ) -> list[T] | None:
        """The room's newest ``recent`` texts after a snapshot read asked with ``sent`` (the
        tail whose last index it passed, or ``None`` for the whole window) and received
        ``texts`` (oldest first) with the room row's ``seq``, ``edits`` and ``next_index``.

        ``None`` when the answer does not fit the tail it extends (the caller reads the whole
        window again); the newer of the two is kept.
        """
        last = next_index - 1
        if sent is not None and sent.seq == seq and sent.edits == edits:
            missing = last - sent.last  # the events stored since the tail was read
            if missing < 0 or len(texts) != min(missing, recent):
                return None  # not what gap-free indexes allow: rows changed by hand
            merged = sent.texts + texts if len(texts) < recent else texts
        else:
            merged = texts
        if len(merged) > recent:
            merged = merged[len(merged) - recent :]
        complete = len(merged) == next_index  # every event of the room is kept
        tails = self._tails
        kept = tails.pop(room_id, None)
        if kept is not None and (kept.seq, kept.edits) == (seq, edits) and kept.last > last:
            tails[room_id] = kept  # a read that started later already answered
            return merged
        if len(tails) >= self._rooms:
            del tails[next(iter(tails))]
        tails[room_id] = Tail(seq, edits, last, merged, complete)
        return merged

    def forget(self, room_id: str) -> None:
        """Drop the tail of ``room_id``."""
        self._tails.pop(room_id, None)

    def clear(self) -> None:
        """Drop every tail."""
        self._tails.clear()
