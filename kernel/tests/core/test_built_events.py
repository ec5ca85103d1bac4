"""Events the engine builds from a message: the store does not check again what the engine
knows is storable, and checks everything else in full."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import InboundMessage, RoomKit, TextContent, WebSocketChannel
from roomkit.core.inbound import storable_as_built
from roomkit.errors import StoreInputError
from roomkit.models.event import RoomEvent
from roomkit.store import validation
from roomkit.store.validation import check_storable, vouch


@pytest.fixture
async def kit() -> RoomKit:
    kit = RoomKit()
    for channel_id in ("a", "b"):
        kit.register_channel(WebSocketChannel(channel_id))
    await kit.create_room(room_id="r1")
    await kit.attach_channel("r1", "a")
    await kit.attach_channel("r1", "b")
    return kit


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The classes of the models the store's input check looked at (full checks only)."""
    seen: list[str] = []
    inner = validation._model

    def counting(model: Any, where: Any, depth: int) -> None:
        if depth == 0:
            seen.append(type(model).__name__)
        inner(model, where, depth)

    monkeypatch.setattr(validation, "_model", counting)
    return seen


def msg(body: str = "hello", **fields: Any) -> InboundMessage:
    return InboundMessage(channel_id="a", sender_id="u1", content=TextContent(body=body), **fields)


async def test_a_plain_message_is_stored_without_a_second_check(
    kit: RoomKit, full_checks: list[str]
) -> None:
    result = await kit.process_inbound(msg(idempotency_key="k-1"))
    assert result.accepted
    assert full_checks == []
    check_storable(result.event)  # what was skipped would have passed
    again = await kit.process_inbound(msg(idempotency_key="k-1"))
    assert again.duplicate
    assert again.event.id == result.event.id


@pytest.mark.parametrize(
    "fields",
    [
        {"metadata": {"score": 1.5}},
        {"external_id": "vendor-1"},
        {"thread_id": "t-1"},
        {"idempotency_key": "clé-1"},
        {"raw_payload": {"id": 1}},
    ],
)
async def test_other_messages_are_checked_in_full(
    kit: RoomKit, full_checks: list[str], fields: dict[str, Any]
) -> None:
    result = await kit.process_inbound(msg(**fields))
    assert result.accepted
    assert full_checks == ["RoomEvent"]


@pytest.mark.parametrize(
    "message",
    [
        msg("nul \x00 in the text"),
        msg(idempotency_key="k\x00"),
        msg(metadata={"score": float("nan")}),
        InboundMessage(channel_id="a", sender_id="u\x00", content=TextContent(body="hi")),
    ],
)
async def test_what_no_store_can_keep_is_still_refused(
    kit: RoomKit, message: InboundMessage
) -> None:
    with pytest.raises(StoreInputError):
        await kit.process_inbound(message)
    assert await kit.store.count_events("r1") == 0


async def test_a_shared_source_changed_by_other_code_is_checked_again(kit: RoomKit) -> None:
    first = await kit.process_inbound(msg("one"))
    source = first.event.source  # shared by the sender's next events
    source.provider = "bad\x00provider"
    with pytest.raises(StoreInputError, match="NUL"):
        await kit.process_inbound(msg("two"))
    event = (await kit.store.list_events("r1"))[0]
    assert not storable_as_built(msg("three"), event)


async def test_the_promise_ends_with_the_store_call(kit: RoomKit) -> None:
    result = await kit.process_inbound(msg())
    event = result.event
    event.metadata["score"] = float("nan")  # changed after it was stored
    with pytest.raises(StoreInputError, match="nan"):
        await kit.store.update_event(event)


def test_a_vouched_model_passes_once() -> None:
    event = RoomEvent.model_construct(room_id="r", metadata={"x": float("inf")})
    vouch(event)
    check_storable(event)  # the engine's promise
    with pytest.raises(StoreInputError):
        check_storable(event)  # the promise is used up
    vouch(event)
    vouch(None)
    with pytest.raises(StoreInputError):
        check_storable(event)
