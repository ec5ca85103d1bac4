"""The engine's fast construction of already-valid models."""

from __future__ import annotations

from roomkit import EventSource, InboundResult, RoomContext, RoomEvent, TextContent
from roomkit.models._construct import construct
from roomkit.models._ids import new_id
from roomkit.models.enums import ChannelType
from roomkit.models.hooks import HookResult
from roomkit.models.room import Room


def test_constructed_event_equals_a_validated_one() -> None:
    source = EventSource(channel_id="c", channel_type=ChannelType.SMS)
    content = TextContent(body="hi")
    validated = RoomEvent(room_id="r", source=source, content=content)
    fast = construct(
        RoomEvent,
        {
            "id": validated.id,
            "room_id": "r",
            "source": source,
            "content": content,
            "created_at": validated.created_at,
        },
    )
    assert fast == validated
    assert fast.model_dump() == validated.model_dump()
    assert list(fast.__dict__) == list(RoomEvent.model_fields)  # declared order kept
    assert RoomEvent.model_validate_json(fast.model_dump_json()) == validated


def test_defaults_and_factories_are_fresh_per_instance() -> None:
    a = construct(InboundResult, {"room_id": "r"})
    b = construct(InboundResult, {"room_id": "r"})
    assert a.responses == []
    assert a.responses is not b.responses
    assert a.blocked is False
    assert a.event is None


def test_assignment_after_construct() -> None:
    ctx = construct(RoomContext, {"room": Room(id="r")})
    ctx.metadata["x"] = 1
    assert ctx.model_dump()["metadata"] == {"x": 1}


def test_new_id_shape() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_hook_result_allow_is_the_validated_allow() -> None:
    made = HookResult.allow()
    validated = HookResult(action="allow")
    assert made == validated
    assert list(made.__dict__) == list(HookResult.model_fields)
    assert made.model_fields_set == {"action"}
    assert made.model_dump() == validated.model_dump()
    other = HookResult.allow()
    other.injected_events.append(validated)  # a fresh list each time, never shared
    assert made.injected_events == []


def test_the_engines_complete_constructions_give_every_field_in_order() -> None:
    """The models built with ``construct_all`` on the message path: every field, in order."""
    import asyncio

    from roomkit import InboundMessage, RoomKit, WebSocketChannel

    async def run() -> tuple[InboundResult, RoomContext | None]:
        kit = RoomKit()
        kit.register_channel(WebSocketChannel("a"))
        await kit.create_room(room_id="r")
        await kit.attach_channel("r", "a")
        message = InboundMessage(channel_id="a", sender_id="u", content=TextContent(body="hi"))
        result = await kit.process_inbound(message)
        return result, await kit.store.get_message_snapshot("r", "u")

    result, snapshot = asyncio.run(run())
    assert snapshot is not None
    for model in (result, snapshot, snapshot.model_copy()):
        assert list(model.__dict__) == list(type(model).model_fields)
    assert InboundResult.model_validate(result.model_dump()) == result
