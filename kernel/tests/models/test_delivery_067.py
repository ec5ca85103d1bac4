"""RoomKit 0.6.7 ways of building delivery results and event sources."""

from __future__ import annotations

import inspect

from roomkit import (
    ChannelType,
    DeliveryResult,
    DeliveryStatus,
    EventSource,
    InboundMessage,
    ProviderResult,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.messaging.meta import WebhookMeta


def test_delivery_result_from_success_and_provider_result() -> None:
    assert DeliveryResult(channel_id="c", success=True).status is DeliveryStatus.SENT
    failed = DeliveryResult(channel_id="c", success=False, error="x")
    assert (failed.status, failed.success, failed.error) == (DeliveryStatus.FAILED, False, "x")
    sent = DeliveryResult(channel_id="c", success=True, provider_result=ProviderResult.sent("m1"))
    assert (sent.provider_message_id, sent.provider_result.success) == ("m1", True)  # type: ignore[union-attr]
    rejected = DeliveryResult(channel_id="c", provider_result=ProviderResult.failed("blocked"))
    assert (rejected.success, rejected.error) == (False, "blocked")
    # An explicit status wins over success.
    read = DeliveryResult(channel_id="c", success=True, status=DeliveryStatus.READ)
    assert read.status is DeliveryStatus.READ
    assert "success" in inspect.signature(DeliveryResult).parameters


async def test_event_source_keeps_the_vendor_message_id_and_payload() -> None:
    source = EventSource(channel_id="sms", channel_type=ChannelType.SMS)
    assert (source.raw_payload, source.provider_message_id) == ({}, None)
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    meta = WebhookMeta(
        provider="twilio",
        sender="+15551234",
        recipient="+15550000",
        body="hello",
        external_id="SM123",
        timestamp=None,
        raw={"MessageSid": "SM123", "Body": "hello"},
    )
    result = await kit.process_inbound(meta.to_inbound("ws"))
    stored = await kit.store.get_event(result.event.id)
    assert stored is not None
    assert stored.source.provider_message_id == "SM123"
    assert stored.source.raw_payload == {"MessageSid": "SM123", "Body": "hello"}
    plain = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="x"))
    )
    assert plain.event.source.raw_payload == {}


async def test_send_event_names_the_provider() -> None:
    kit = RoomKit()
    room = await kit.create_room()
    result = await kit.send_event(
        room.id, channel_id="bridge", content=TextContent(body="x"), provider="acme"
    )
    assert result.event.source.provider == "acme"
