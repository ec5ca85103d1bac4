"""Identity hooks (``kit.identity_hook``): resolved, pending, challenge, reject."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    ChannelDirection,
    ChannelType,
    EventSource,
    EventStatus,
    HookExecution,
    HookTrigger,
    IdentificationStatus,
    Identity,
    IdentityHookResult,
    InboundMessage,
    InjectedEvent,
    MockIdentityResolver,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import ConfigurationError


async def _kit() -> tuple[RoomKit, list[Any]]:
    kit = RoomKit(identity_resolver=MockIdentityResolver())
    sent: list[Any] = []

    async def send(connection_id: str, payload: Any) -> None:
        sent.append(payload)

    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(WebSocketChannel("agent"))
    await kit.connect_websocket("ws", "c1", send)
    await kit.create_room("r1")
    await kit.attach_channel("r1", "ws")
    await kit.attach_channel("r1", "agent")
    return kit, sent


def _message(sender: str = "unknown-sender") -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id=sender, content=TextContent(body="hello"))


async def _participant(kit: RoomKit, sender: str = "unknown-sender") -> Any:
    participant = await kit.store.get_participant("r1", sender)
    assert participant is not None
    return participant


async def test_without_an_answer_the_resolvers_status_stands() -> None:
    kit, _ = await _kit()
    calls: list[Any] = []

    @kit.identity_hook(HookTrigger.ON_IDENTITY_UNKNOWN)
    async def undecided(event: Any, ctx: Any, result: Any) -> None:
        calls.append((event.content.body, result.status))

    result = await kit.process_inbound(_message(), room_id="r1")
    assert not result.blocked
    assert calls == [("hello", IdentificationStatus.UNKNOWN)]
    assert (await _participant(kit)).identification == IdentificationStatus.UNKNOWN


async def test_resolved_identifies_the_sender_and_fires_identified() -> None:
    kit, _ = await _kit()
    fired: list[str] = []

    @kit.identity_hook(HookTrigger.ON_IDENTITY_UNKNOWN)
    async def lookup(event: Any, ctx: Any, result: Any) -> IdentityHookResult:
        return IdentityHookResult.resolved(Identity(id="id-1", display_name="Ann"))

    @kit.hook(HookTrigger.ON_PARTICIPANT_IDENTIFIED, execution=HookExecution.ASYNC)
    async def identified(event: Any, ctx: Any) -> None:
        fired.append(event.source.participant_id)

    result = await kit.process_inbound(_message(), room_id="r1")
    await kit.drain()
    assert not result.blocked
    participant = await _participant(kit)
    assert participant.identification == IdentificationStatus.IDENTIFIED
    assert (participant.identity_id, participant.display_name) == ("id-1", "Ann")
    assert participant.resolved_by == "hook"
    assert fired == ["unknown-sender"]


async def test_pending_keeps_the_sender_pending_with_candidates() -> None:
    kit, _ = await _kit()

    @kit.identity_hook(HookTrigger.ON_IDENTITY_UNKNOWN)
    async def maybe(event: Any, ctx: Any, result: Any) -> IdentityHookResult:
        return IdentityHookResult.pending("Guest", [Identity(id="a"), Identity(id="b")])

    result = await kit.process_inbound(_message(), room_id="r1")
    assert not result.blocked
    participant = await _participant(kit)
    assert participant.identification == IdentificationStatus.PENDING
    assert (participant.display_name, participant.candidates) == ("Guest", ["a", "b"])


async def test_challenge_holds_the_message_and_sends_the_question() -> None:
    kit, sent = await _kit()
    question = RoomEvent(
        room_id="r1",
        source=EventSource(
            channel_id="agent",
            channel_type=ChannelType.WEBSOCKET,
            direction=ChannelDirection.OUTBOUND,
        ),
        content=TextContent(body="Who are you?"),
    )

    @kit.identity_hook(HookTrigger.ON_IDENTITY_UNKNOWN, channel_types={ChannelType.WEBSOCKET})
    async def ask(event: Any, ctx: Any, result: Any) -> IdentityHookResult:
        return IdentityHookResult.challenge(
            InjectedEvent(event=question, target_channel_ids=["ws"]), message="verify first"
        )

    result = await kit.process_inbound(_message(), room_id="r1")
    assert result.blocked
    assert result.reason == "verify first"
    assert result.event is not None
    assert result.event.status == EventStatus.BLOCKED
    (asked,) = result.responses
    assert asked.content.body == "Who are you?"  # type: ignore[union-attr]
    assert asked.visibility == "ws"
    assert any("Who are you?" in str(p) for p in sent)  # the sender's socket got it
    assert (await _participant(kit)).identification == IdentificationStatus.CHALLENGE_SENT


async def test_reject_refuses_the_message() -> None:
    kit, sent = await _kit()

    @kit.identity_hook(HookTrigger.ON_IDENTITY_UNKNOWN)
    async def refuse(event: Any, ctx: Any, result: Any) -> IdentityHookResult:
        return IdentityHookResult.reject("unknown number")

    result = await kit.process_inbound(_message(), room_id="r1")
    assert result.blocked
    assert result.reason == "unknown number"
    assert (await _participant(kit)).identification == IdentificationStatus.REJECTED
    assert sent == []


async def test_filters_failures_and_bad_answers(caplog: Any) -> None:
    kit, _ = await _kit()
    errors: list[str] = []

    @kit.hook(HookTrigger.ON_ERROR, execution=HookExecution.ASYNC)
    async def on_error(event: Any, ctx: Any) -> None:
        errors.append(ctx.metadata["stage"])

    @kit.identity_hook(HookTrigger.ON_IDENTITY_UNKNOWN, channel_ids={"other"})
    async def elsewhere(event: Any, ctx: Any, result: Any) -> IdentityHookResult:
        return IdentityHookResult.reject()

    @kit.identity_hook(HookTrigger.ON_IDENTITY_UNKNOWN)
    async def broken(event: Any, ctx: Any, result: Any) -> IdentityHookResult:
        raise RuntimeError("lookup down")

    @kit.identity_hook(HookTrigger.ON_IDENTITY_UNKNOWN)
    async def confused(event: Any, ctx: Any, result: Any) -> str:
        return "yes"

    result = await kit.process_inbound(_message(), room_id="r1")
    await kit.drain()
    assert not result.blocked  # filtered out, failed and invalid answers decide nothing
    assert errors == ["identity_hook", "identity_hook"]
    with pytest.raises(ConfigurationError):
        kit.identity_hook(HookTrigger.BEFORE_BROADCAST)(elsewhere)
