"""DecodedModels: each stored text decoded once, every caller its own copy, bounded."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelType, EventStatus
from roomkit.models.event import EventSource, RoomEvent
from roomkit.store.decoded import DecodedModels


def _text(body: str) -> str:
    source = EventSource(channel_id="ws", channel_type=ChannelType.WEBSOCKET, participant_id="u")
    return RoomEvent(room_id="r", source=source, content=TextContent(body=body)).model_dump_json()


def test_a_text_is_decoded_once_and_equals_a_fresh_decode() -> None:
    decoded = DecodedModels(RoomEvent)
    text = _text("hello")
    first, second = decoded.get(text), decoded.get(text)
    assert (decoded.misses, decoded.hits) == (1, 1)
    assert first == second == RoomEvent.model_validate_json(text)
    assert first is not second
    assert first.model_dump_json() == text
    assert first.model_fields_set == RoomEvent.model_validate_json(text).model_fields_set


def test_assigning_on_a_copy_reaches_no_other_copy() -> None:
    decoded = DecodedModels(RoomEvent)
    text = _text("hello")
    mine = decoded.get(text)
    mine.status = EventStatus.BLOCKED
    mine.metadata = {"changed": True}
    again = decoded.get(text)
    assert again.status != EventStatus.BLOCKED
    assert again.metadata == {}
    assert again.model_dump_json() == text
    assert again.model_fields_set == RoomEvent.model_validate_json(text).model_fields_set


def test_a_changed_text_is_a_different_model() -> None:
    decoded = DecodedModels(RoomEvent)
    event = decoded.get(_text("before"))
    changed = event.model_copy(update={"metadata": {"edited": True}}).model_dump_json()
    assert decoded.get(changed).metadata == {"edited": True}
    assert decoded.misses == 2


def test_the_oldest_texts_are_forgotten_beyond_the_size() -> None:
    decoded = DecodedModels(RoomEvent, size=3)
    texts = [_text(f"m{i}") for i in range(5)]
    for text in texts:
        decoded.get(text)
    assert len(decoded) == 3
    decoded.get(texts[-1])
    assert decoded.hits == 1
    decoded.get(texts[0])  # forgotten: decoded again
    assert decoded.misses == 6
    decoded.clear()
    assert len(decoded) == 0


def test_many_keeps_order_and_bad_text_raises() -> None:
    decoded = DecodedModels(RoomEvent)
    texts = [_text(f"m{i}") for i in range(3)]
    bodies = [e.content.body for e in decoded.many(texts)]  # type: ignore[union-attr]
    assert bodies == ["m0", "m1", "m2"]
    with pytest.raises(ValidationError):
        decoded.get('{"room_id": 1}')
    assert len(decoded) == 3
    with pytest.raises(ValueError, match="size"):
        DecodedModels(RoomEvent, size=0)
