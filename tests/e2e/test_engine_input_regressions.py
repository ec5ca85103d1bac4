"""Regressions: what a hook hands back, and text no store can encode, never poison a room.

Issue 16 found that a BEFORE_BROADCAST hook returning
``HookResult.modify(event.model_copy(update={"metadata": None}))`` (or ``chain_depth=-3``)
was stored as is: ``model_copy`` does not validate, SQLite and PostgreSQL wrote the event,
and every later ``process_inbound``, ``list_events`` and ``get_timeline`` of the room failed
reading it back. A body of 262,145 characters or more holding a lone surrogate escaped as a
raw ``UnicodeEncodeError``. Each case runs on the three stores: in-memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from roomkit import (
    ConversationStore,
    HookResult,
    HookTrigger,
    InboundMessage,
    InMemoryStore,
    InvalidContentError,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    if request.param == "sqlite":
        from roomkit_sqlite import SQLiteStore

        sqlite = SQLiteStore(tmp_path / "rooms.db")
        yield sqlite
        await sqlite.close()
        return
    from roomkit_postgres import PostgresStore
    from roomkit_postgres.testing import drop_schema, require_server

    dsn = await require_server()
    postgres = PostgresStore(dsn, schema=f"rk_e2e_{uuid4().hex[:12]}", max_size=3)
    yield postgres
    await postgres.close()
    await drop_schema(dsn, postgres.schema)


async def _kit(store: ConversationStore) -> tuple[RoomKit, list[dict[str, Any]]]:
    kit = RoomKit(store=store)
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(WebSocketChannel("peer"))
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "peer")
    errors: list[dict[str, Any]] = []

    async def on_error(event: Any, ctx: RoomContext) -> None:
        errors.append(dict(ctx.metadata))

    kit.add_hook(HookTrigger.ON_ERROR, on_error)
    return kit, errors


def _message(body: str, **metadata: Any) -> InboundMessage:
    return InboundMessage(
        channel_id="ws", sender_id="u1", content=TextContent(body=body), metadata=metadata
    )


def _body(event: RoomEvent) -> str:
    assert isinstance(event.content, TextContent)
    return event.content.body


INVALID_CHANGES = [
    pytest.param({"metadata": None}, id="metadata-None"),
    pytest.param({"chain_depth": -3}, id="chain_depth-negative"),
    pytest.param({"content": "not a content model"}, id="content-str"),
    pytest.param({"metadata": {"when": object()}}, id="metadata-not-json"),
]


@pytest.mark.parametrize("changes", INVALID_CHANGES)
async def test_an_invalid_modified_event_is_a_hook_failure_and_the_room_keeps_working(
    store: ConversationStore, changes: dict[str, Any]
) -> None:
    kit, errors = await _kit(store)

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="breaks_events")
    async def breaks_events(event: RoomEvent, ctx: RoomContext) -> HookResult:
        if _body(event) == "poison":
            return HookResult.modify(event.model_copy(update=changes))
        return HookResult.allow()

    first = await kit.process_inbound(_message("poison", origin="user"), room_id="r1")
    assert first.accepted
    assert first.event is not None
    assert first.event.metadata == {"origin": "user"}  # stored as it came, unmodified
    assert first.event.chain_depth == 0
    await kit.drain()
    (error,) = errors
    assert error["stage"] == "hook"
    assert error["error_type"] == "InvalidContentError"
    assert "breaks_events" in error["message"]
    assert error["details"] == {"hook": "breaks_events", "trigger": "before_broadcast"}

    later = await kit.process_inbound(_message("still here"), room_id="r1")
    assert later.accepted
    timeline = await kit.get_timeline("r1")
    assert [_body(e) for e in timeline] == ["poison", "still here"]
    assert [e.metadata for e in await kit.list_events("r1")] == [{"origin": "user"}, {}]
    assert [_body(e) for e in await kit.get_recent_events("r1")] == ["poison", "still here"]
    await kit.close()


async def test_invalid_injected_events_tasks_and_observations_are_refused_whole(
    store: ConversationStore,
) -> None:
    kit, errors = await _kit(store)

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="injects_garbage")
    async def injects_garbage(event: RoomEvent, ctx: RoomContext) -> HookResult:
        bad = event.model_copy(update={"metadata": None, "id": "injected"})
        return HookResult.allow(injected_events=[bad])

    result = await kit.process_inbound(_message("hello"), room_id="r1")
    assert result.accepted
    assert result.responses == []
    await kit.drain()
    assert [e["error_type"] for e in errors] == ["InvalidContentError"]
    assert [_body(e) for e in await kit.get_timeline("r1")] == ["hello"]
    await kit.close()


async def test_a_valid_modification_still_applies(store: ConversationStore) -> None:
    kit, errors = await _kit(store)

    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="masks")
    async def masks(event: RoomEvent, ctx: RoomContext) -> HookResult:
        masked = TextContent(body=_body(event).replace("4111", "****"))
        return HookResult.modify(event.model_copy(update={"content": masked}))

    result = await kit.process_inbound(_message("card 4111"), room_id="r1")
    assert result.event is not None
    assert _body(result.event) == "card ****"
    assert [_body(e) for e in await kit.get_timeline("r1")] == ["card ****"]
    assert errors == []
    await kit.close()


@pytest.mark.parametrize("length", [10, 262_145, 300_000])
async def test_a_lone_surrogate_is_invalid_content_and_nothing_is_stored(
    store: ConversationStore, length: int
) -> None:
    kit, _ = await _kit(store)
    body = "a" * (length - 1) + "\ud800"
    with pytest.raises(InvalidContentError, match="lone surrogate"):
        await kit.process_inbound(_message(body), room_id="r1")
    assert await kit.get_timeline("r1") == []
    ok = await kit.process_inbound(_message("caf\u00e9 \U0001f600"), room_id="r1")
    assert ok.accepted
    assert [_body(e) for e in await kit.get_timeline("r1")] == ["caf\u00e9 \U0001f600"]
    await kit.close()
