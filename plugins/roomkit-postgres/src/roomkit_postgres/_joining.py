"""The JSON text of the participant an inbound event's sender becomes, without a model each time.

``add_event`` sends it with every inbound event (the statement adds it only when the sender is
not a member yet). Building and dumping a ``Participant`` per message costs more than the rest
of the statement's arguments; the text differs between messages of one sender only in
``joined_at``, so the rest is dumped once per (room, sender, channel) and the time spliced in.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import TypeAdapter

from roomkit.models.participant import Participant

__all__ = ["JoiningTexts"]

_TIME = TypeAdapter(datetime)
_MARK = datetime(1999, 12, 31, 23, 59, 58, 123456, tzinfo=UTC)


class JoiningTexts:
    """``Participant(id, room_id, channel_id, joined_at).model_dump_json()``, from templates.

    Bounded: the oldest template is dropped past ``size``.
    """

    __slots__ = ("_size", "_templates")

    def __init__(self, size: int = 4096) -> None:
        self._templates: dict[tuple[str, str, str], tuple[str, str]] = {}
        self._size = size

    def text(self, room_id: str, participant_id: str, channel_id: str, joined_at: datetime) -> str:
        """The JSON text of the participant joining at ``joined_at``."""
        key = (room_id, participant_id, channel_id)
        template = self._templates.get(key)
        if template is None:
            whole = Participant(
                id=participant_id, room_id=room_id, channel_id=channel_id, joined_at=_MARK
            ).model_dump_json()
            mark = _TIME.dump_json(_MARK).decode()
            if whole.count(mark) != 1:  # the mark must be found exactly once to splice
                return Participant(
                    id=participant_id, room_id=room_id, channel_id=channel_id, joined_at=joined_at
                ).model_dump_json()
            before, after = whole.split(mark)
            template = (before, after)
            if len(self._templates) >= self._size:
                del self._templates[next(iter(self._templates))]
            self._templates[key] = template
        return template[0] + _TIME.dump_json(joined_at).decode() + template[1]
