"""Inbound messaging through the kit: routing, delivery receipts, ON_DELIVERY_STATUS."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import HookExecution, HookTrigger, RoomKit, WebSocketChannel
from roomkit.channels.email import EmailChannel
from roomkit.channels.sms import SMSChannel
from roomkit.core.webhooks import (
    on_delivery_status,
    process_delivery_status,
    process_message,
    process_webhook,
    process_webhook_item,
)
from roomkit.errors import ChannelNotRegisteredError, InvalidContentError
from roomkit.messaging.meta import WebhookMeta
from roomkit.models.content import TextContent
from roomkit.models.context import RoomContext
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import ChannelType, DeliveryStatus
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.testing import MockEmailProvider, MockSMSProvider

SECRET = "webhook-secret-1"


def _sms_kit() -> tuple[RoomKit, MockSMSProvider]:
    kit = RoomKit()
    sms = MockSMSProvider(webhook_secret=SECRET)
    kit.register_channel(SMSChannel("sms", provider=sms))
    kit.register_channel(WebSocketChannel("ws"))
    return kit, sms


def _text(sender: str, body: str, message_id: str | None = None) -> InboundMessage:
    return InboundMessage(
        channel_id="sms",
        sender_id=sender,
        content=TextContent(body=body),
        external_id=message_id,
        idempotency_key=message_id,
    )


async def _agent_says(kit: RoomKit, room_id: str, body: str) -> RoomEvent:
    if "ws" not in {b.channel_id for b in await kit.list_bindings(room_id)}:
        await kit.attach_channel(room_id, "ws")
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="agent", content=TextContent(body=body)),
        room_id=room_id,
    )
    assert result.event is not None
    return result.event


# -- routing ---------------------------------------------------------------------------------
async def test_each_new_sender_gets_a_room_of_their_own() -> None:
    kit, sms = _sms_kit()
    first = await process_message(kit, _text("+15550001", "hi"))
    second = await process_message(kit, _text("+15550002", "hello"))
    again = await process_message(kit, _text("+15550001", "me again"))
    assert first.room_id
    assert second.room_id
    assert first.room_id != second.room_id  # never another customer's room
    assert again.room_id == first.room_id
    binding = await kit.get_binding(first.room_id, "sms")
    assert binding.participant_id == "+15550001"  # replies go back to the sender
    await _agent_says(kit, first.room_id, "answer")
    assert [entry["to"] for entry in sms.sent] == ["+15550001"]


async def test_concurrent_first_messages_of_a_sender_share_one_room() -> None:
    kit, _ = _sms_kit()
    results = await asyncio.gather(
        *(process_message(kit, _text("+15550003", f"m{n}", f"id-{n}")) for n in range(10))
    )
    assert len({r.room_id for r in results}) == 1
    assert len(await kit.list_rooms()) == 1


async def test_a_reply_lands_in_the_room_that_wrote_to_the_sender() -> None:
    kit, _ = _sms_kit()
    room = await kit.create_room(room_id="campaign")
    await kit.attach_channel(room.id, "sms", metadata={"phone_number": "+15550004"})
    await _agent_says(kit, room.id, "Your order shipped")
    reply = await process_message(kit, _text("+15550004", "thanks"))
    assert reply.room_id == "campaign"


async def test_a_closed_room_is_not_reused() -> None:
    kit, _ = _sms_kit()
    first = await process_message(kit, _text("+15550005", "hi"))
    assert first.room_id
    await kit.close_room(first.room_id)
    second = await process_message(kit, _text("+15550005", "hi again"))
    assert second.room_id not in (None, first.room_id)


async def test_a_room_router_keeps_routing() -> None:
    async def router(message: InboundMessage) -> str | None:
        return "routed"

    kit = RoomKit(room_router=router)
    kit.register_channel(SMSChannel("sms", provider=MockSMSProvider()))
    await kit.create_room(room_id="routed")
    await kit.attach_channel("routed", "sms")
    result = await process_message(kit, _text("+15550006", "hi"))
    assert result.room_id == "routed"


async def test_vendor_retries_are_stored_once() -> None:
    kit, _ = _sms_kit()
    first = await process_message(kit, _text("+15550007", "hi", "SM-1"))
    retry = await process_message(kit, _text("+15550007", "hi", "SM-1"))
    assert retry.duplicate
    assert first.room_id is not None
    events = await kit.get_timeline(first.room_id)
    assert [e.content.body for e in events if e.source.channel_id == "sms"] == ["hi"]  # type: ignore[union-attr]


async def test_non_messaging_channels_and_explicit_rooms_go_straight_through() -> None:
    kit, _ = _sms_kit()
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    ws = InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="x"))
    assert (await process_message(kit, ws)).room_id == "r"
    explicit = _text("+15550008", "x").model_copy(update={"room_id": "r"})
    await kit.attach_channel("r", "sms")
    assert (await process_message(kit, explicit)).room_id == "r"
    with pytest.raises(InvalidContentError):
        await process_message(kit, {"channel_id": "sms"})  # type: ignore[arg-type]


async def test_email_replies_are_threaded_into_their_room() -> None:
    kit = RoomKit()
    email = MockEmailProvider()
    kit.register_channel(
        EmailChannel("mail", provider=email, from_address="help@shop.example", subject="Order 42")
    )
    kit.register_channel(WebSocketChannel("ws"))
    room = await kit.create_room(room_id="order-42")
    await kit.attach_channel(room.id, "mail", metadata={"email_address": "ada@example.com"})
    await _agent_says(kit, room.id, "Your order shipped")
    await _agent_says(kit, room.id, "Tracking: 123")
    first, second = email.sent
    assert first["subject"] == "Order 42"
    assert first["headers"]["Message-ID"].endswith("@shop.example>")
    assert "In-Reply-To" not in first["headers"]
    assert second["subject"] == "Re: Order 42"
    assert second["headers"]["In-Reply-To"] == first["headers"]["Message-ID"]
    assert second["headers"]["References"] == first["headers"]["Message-ID"]

    def mail(sender: str, message_id: str, **headers: Any) -> InboundMessage:
        return InboundMessage(
            channel_id="mail",
            sender_id=sender,
            content=TextContent(body="reply"),
            external_id=message_id,
            metadata={"email": {"message_id": message_id, **headers}},
        )

    reply = await process_message(
        kit, mail("bob@example.com", "<r1@example.com>", in_reply_to=first["headers"]["Message-ID"])
    )
    assert reply.room_id == "order-42"  # a forwarded thread: another sender, same room
    nested = await process_message(
        kit, mail("ada@example.com", "<r2@example.com>", references=["<r1@example.com>"])
    )
    assert nested.room_id == "order-42"  # a reply to the inbound reply
    await _agent_says(kit, room.id, "You're welcome")
    assert email.sent[-1]["headers"]["In-Reply-To"] == "<r2@example.com>"
    fresh = await process_message(kit, mail("eve@example.com", "<new@example.com>"))
    assert fresh.room_id != "order-42"  # a new thread from a new sender


# -- delivery receipts -----------------------------------------------------------------------
async def _sent_ids(kit: RoomKit, sms: MockSMSProvider, body: str) -> tuple[RoomEvent, list[str]]:
    room = await kit.create_room()
    await kit.attach_channel(room.id, "sms", participant_id="+15550009")
    before = len(sms.sent)
    event = await _agent_says(kit, room.id, body)
    channel = kit.get_channel("sms")
    ids = []
    for entry in sms.sent[before:]:
        assert entry["event"].id == event.id
    for key in channel.message_index.keys("sent:"):  # type: ignore[attr-defined]
        ref = await channel.message_index.get(key)  # type: ignore[attr-defined]
        if ref is not None and ref.event_id == event.id:
            ids.append(key[5:])
    return event, ids


async def test_a_receipt_updates_the_events_delivery_record_and_fires_hooks() -> None:
    kit, sms = _sms_kit()
    seen: list[tuple[Any, RoomContext]] = []

    @kit.hook(HookTrigger.ON_DELIVERY_STATUS, execution=HookExecution.SYNC)
    async def record(payload: Any, ctx: RoomContext) -> None:
        seen.append((payload, ctx))

    event, (message_id,) = await _sent_ids(kit, sms, "hello")
    seen.clear()  # the engine's own "sent" notification of the broadcast
    outcome = await process_delivery_status(
        kit, DeliveryStatusUpdate(provider="mock", message_id=message_id, status="delivered")
    )
    assert outcome.matched
    assert outcome.hooks_fired
    assert outcome.room_id == event.room_id
    assert outcome.delivery_result is not None
    assert outcome.delivery_result.status == DeliveryStatus.DELIVERED
    stored = await kit.get_event(event.id)
    assert stored is not None
    record_ = stored.delivery_results["sms"]
    assert record_.status == DeliveryStatus.DELIVERED
    assert record_.provider_message_id == message_id
    ((payload, ctx),) = seen
    assert isinstance(payload, DeliveryStatusUpdate)
    assert payload.channel_id == "sms"
    assert payload.channel_type == ChannelType.SMS
    assert ctx.room.id == event.room_id
    assert ctx.metadata["delivery_result"].status == DeliveryStatus.DELIVERED
    assert ctx.metadata["event"].id == event.id


async def test_receipts_never_move_a_record_backwards() -> None:
    kit, sms = _sms_kit()
    event, (message_id,) = await _sent_ids(kit, sms, "hello")
    for word in ("read", "delivered", "sent"):
        await process_delivery_status(
            kit, DeliveryStatusUpdate(provider="mock", message_id=message_id, status=word)
        )
    stored = await kit.get_event(event.id)
    assert stored is not None
    assert stored.delivery_results["sms"].status == DeliveryStatus.READ
    assert stored.delivery_results["sms"].metadata["vendor_status"] == "sent"


async def test_a_failed_receipt_records_the_vendor_error() -> None:
    kit, sms = _sms_kit()
    event, (message_id,) = await _sent_ids(kit, sms, "hello")
    await process_delivery_status(
        kit,
        DeliveryStatusUpdate(
            provider="mock",
            message_id=message_id,
            status="undelivered",
            error_code="30006",
            error_message="landline",
        ),
    )
    stored = await kit.get_event(event.id)
    assert stored is not None
    result = stored.delivery_results["sms"]
    assert (result.status, result.error, result.metadata["error_code"]) == (
        DeliveryStatus.FAILED,
        "landline",
        "30006",
    )


async def test_a_split_message_is_delivered_when_every_part_is() -> None:
    kit, sms = _sms_kit()
    _event, ids = await _sent_ids(kit, sms, "word " * 500)
    assert len(ids) == 2
    first = await process_delivery_status(
        kit, DeliveryStatusUpdate(provider="mock", message_id=ids[0], status="delivered")
    )
    assert first.delivery_result is not None
    assert first.delivery_result.status == DeliveryStatus.SENT  # one part still out
    second = await process_delivery_status(
        kit, DeliveryStatusUpdate(provider="mock", message_id=ids[1], status="delivered")
    )
    assert second.delivery_result is not None
    assert second.delivery_result.status == DeliveryStatus.DELIVERED
    failed = await process_delivery_status(
        kit, DeliveryStatusUpdate(provider="mock", message_id=ids[0], status="failed")
    )
    assert failed.delivery_result is not None
    assert failed.delivery_result.status == DeliveryStatus.DELIVERED  # no regression


async def test_an_unknown_message_fires_nothing_unless_the_room_is_given() -> None:
    kit, _ = _sms_kit()
    seen: list[Any] = []
    on_delivery_status(kit, seen.append)
    unknown = await process_delivery_status(
        kit, DeliveryStatusUpdate(provider="mock", message_id="never-sent", status="delivered")
    )
    assert not unknown.matched
    assert not unknown.hooks_fired
    await kit.create_room(room_id="known")
    given = await process_delivery_status(
        kit,
        DeliveryStatusUpdate(provider="mock", message_id="x", status="delivered", room_id="known"),
    )
    assert given.hooks_fired
    assert not given.matched
    await kit.drain()
    assert [s.message_id for s in seen] == ["x"]


async def test_on_delivery_status_takes_sync_and_async_handlers_and_skips_engine_events() -> None:
    kit, sms = _sms_kit()
    got: list[str] = []

    async def async_handler(status: DeliveryStatusUpdate) -> None:
        got.append(f"async:{status.status}")

    assert on_delivery_status(kit, async_handler) is async_handler
    on_delivery_status(kit, lambda status: got.append(f"sync:{status.status}"))
    _, (message_id,) = await _sent_ids(kit, sms, "hello")  # engine fires with a RoomEvent
    await process_delivery_status(
        kit, DeliveryStatusUpdate(provider="mock", message_id=message_id, status="read")
    )
    await kit.drain()
    assert sorted(got) == ["async:read", "sync:read"]


async def test_hook_channel_filters_apply_to_receipts() -> None:
    kit, sms = _sms_kit()
    sms_only: list[Any] = []
    email_only: list[Any] = []
    kit.add_hook(
        HookTrigger.ON_DELIVERY_STATUS,
        lambda p, c: _append(sms_only, p),
        execution=HookExecution.SYNC,
        channel_types={ChannelType.SMS},
    )
    kit.add_hook(
        HookTrigger.ON_DELIVERY_STATUS,
        lambda p, c: _append(email_only, p),
        execution=HookExecution.SYNC,
        channel_types={ChannelType.EMAIL},
    )
    _, (message_id,) = await _sent_ids(kit, sms, "hello")
    sms_only.clear()
    await process_delivery_status(
        kit, DeliveryStatusUpdate(provider="mock", message_id=message_id, status="delivered")
    )
    assert [type(p).__name__ for p in sms_only] == ["DeliveryStatusUpdate"]
    assert not [p for p in email_only if isinstance(p, DeliveryStatusUpdate)]


async def _append(items: list[Any], value: Any) -> None:
    items.append(value)


async def test_bad_status_input_is_typed() -> None:
    kit, _ = _sms_kit()
    with pytest.raises(InvalidContentError):
        await process_delivery_status(kit, {"provider": "x"})  # type: ignore[arg-type]
    with pytest.raises(ChannelNotRegisteredError):
        await process_delivery_status(
            kit,
            DeliveryStatusUpdate(provider="x", message_id="1", status="sent", channel_id="nope"),
        )


# -- webhook entry points -----------------------------------------------------------------------
async def test_process_webhook_with_0_6_7_meta() -> None:
    kit, _sms = _sms_kit()
    inbound = WebhookMeta("mock", "+15550010", "+15550099", "hi", "SM-9", None, {})
    result = await process_webhook(kit, inbound, channel_id="sms")
    assert result is not None
    assert getattr(result, "room_id", None)
    room_id = result.room_id  # type: ignore[union-attr]
    event = await _agent_says(kit, room_id, "reply")
    channel = kit.get_channel("sms")
    ref_id = channel.message_index.keys("sent:")[0][5:]  # type: ignore[attr-defined]
    status = WebhookMeta(
        "mock", "", "+15550010", "", ref_id, None, {}, direction="outbound", status="delivered"
    )
    outcome = await process_webhook(kit, status, channel_id="sms")
    assert getattr(outcome, "matched", False)
    stored = await kit.get_event(event.id)
    assert stored is not None
    assert stored.delivery_results["sms"].status == DeliveryStatus.DELIVERED
    ignored = WebhookMeta("mock", "", "", "", None, None, {}, direction="outbound")
    assert await process_webhook(kit, ignored, channel_id="sms") is None
    with pytest.raises(InvalidContentError, match="WebhookMeta"):
        await process_webhook(kit, {"body": "x"}, channel_id="sms")  # type: ignore[arg-type]


async def test_process_webhook_item_fills_in_the_route_channel() -> None:
    kit, sms = _sms_kit()
    endpoint = sms.webhook_endpoints()[""]
    (message,) = endpoint.parser.parse(sms.inbound_request(sender="+15550011", text="a"), "other")
    result = await process_webhook_item(kit, "sms", message)
    assert getattr(result, "room_id", None)
    status = DeliveryStatusUpdate(provider="mock", message_id="nope", status="sent")
    outcome = await process_webhook_item(kit, "sms", status)
    assert outcome.status.channel_id == "sms"  # type: ignore[union-attr]
    with pytest.raises(InvalidContentError):
        await process_webhook_item(kit, "sms", "junk")  # type: ignore[arg-type]


async def test_a_read_receipt_is_published_as_an_ephemeral_event() -> None:
    from roomkit.models.enums import EphemeralEventType
    from roomkit.models.event import EphemeralEvent

    kit, sms = _sms_kit()
    event, (message_id,) = await _sent_ids(kit, sms, "hello")
    seen: list[EphemeralEvent] = []

    async def record(ephemeral: EphemeralEvent) -> None:
        seen.append(ephemeral)

    await kit.subscribe_room(event.room_id, record)
    for word in ("delivered", "read"):
        await process_delivery_status(
            kit,
            DeliveryStatusUpdate(
                provider="mock", message_id=message_id, status=word, recipient="+15550100"
            ),
        )
    await kit.drain(timeout=10)
    (receipt,) = seen
    assert receipt.type == EphemeralEventType.READ_RECEIPT
    assert (receipt.user_id, receipt.channel_id) == ("+15550100", "sms")
    assert receipt.data["event_id"] == event.id
    await kit.close()
