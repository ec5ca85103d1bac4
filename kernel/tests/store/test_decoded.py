"""DecodedModels: each stored text decoded once, every caller its own copy, bounded."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

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


class _WithExtra(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    _seen: int = PrivateAttr(default=0)


def test_many_counts_hits_and_copies_like_get() -> None:
    decoded = DecodedModels(RoomEvent)
    texts = [_text(f"m{i}") for i in range(3)]
    first = decoded.many(texts + texts[:1])
    assert (decoded.misses, decoded.hits) == (3, 1)
    again = decoded.many(texts)
    assert (decoded.misses, decoded.hits) == (3, 4)
    assert [e.model_dump_json() for e in again] == texts
    assert all(a is not b for a, b in zip(first, again, strict=False))
    first[0].model_fields_set.add("not_a_field")
    assert "not_a_field" not in again[0].model_fields_set


def test_extra_fields_and_private_attributes_are_copied_per_caller() -> None:
    decoded = DecodedModels(_WithExtra)
    text = '{"name": "a", "colour": "red"}'
    mine = decoded.get(text)
    mine._seen = 5
    mine.__pydantic_extra__["colour"] = "blue"  # type: ignore[index]
    (again,) = decoded.many([text])
    assert again._seen == 0
    assert again.__pydantic_extra__ == {"colour": "red"}
    assert again == _WithExtra.model_validate_json(text)


def test_copy_models_copies_are_equal_and_independent() -> None:
    from roomkit.store.decoded import copy_model, copy_models

    class Loose(BaseModel):
        model_config = ConfigDict(extra="allow")
        name: str = "a"
        _note: str = PrivateAttr(default="private")

    originals = [RoomEvent.model_validate_json(_text(str(i))) for i in range(3)]
    loose = Loose(name="b", more=1)  # type: ignore[call-arg]
    copies = copy_models([*originals, loose])
    assert copies[:3] == originals
    assert all(c is not o for c, o in zip(copies, originals, strict=False))
    copies[0].status = EventStatus.BLOCKED
    copies[0].metadata = {"changed": True}
    assert originals[0].status != EventStatus.BLOCKED
    assert originals[0].metadata == {}
    assert originals[0].model_fields_set == copies[1].model_fields_set
    loose_copy = copies[3]
    assert isinstance(loose_copy, Loose)
    assert loose_copy == loose
    assert loose_copy.__pydantic_extra__ == {"more": 1}
    assert loose_copy.__pydantic_extra__ is not loose.__pydantic_extra__
    assert loose_copy._note == "private"
    single = copy_model(originals[1])
    assert single == originals[1]
    assert single is not originals[1]
