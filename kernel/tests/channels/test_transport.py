"""TransportChannel: the configurable base of transport channels."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    ChannelBinding,
    ChannelCapabilities,
    ChannelType,
    ConfigurationError,
    InboundMessage,
    ProviderResult,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    TransportChannel,
    WebSocketChannel,
)


class Outbox(TransportChannel):
    def __init__(self, channel_id: str, **kw: Any) -> None:
        super().__init__(channel_id, **kw)
        self.sent: list[tuple[str | None, str]] = []

    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        self.sent.append((self.recipient(binding), event.content.body))  # type: ignore[union-attr]
        return f"id-{len(self.sent)}"


def test_needs_a_provider_or_a_send_of_its_own() -> None:
    with pytest.raises(ConfigurationError, match="needs a provider"):
        TransportChannel("x")
    with pytest.raises(ConfigurationError, match="async send"):
        TransportChannel("x", ChannelType.SMS, provider=object())


def test_type_and_capabilities_from_constructor() -> None:
    caps = ChannelCapabilities(max_length=160)
    sms = Outbox("sms", channel_type=ChannelType.SMS, capabilities=caps)
    assert sms.channel_type == ChannelType.SMS
    assert sms.capabilities() is caps
    assert sms.info()["max_length"] == 160
    assert Outbox("plain").capabilities().max_length is None


async def test_delivers_to_the_binding_recipient() -> None:
    kit = RoomKit()
    sms = Outbox(
        "sms", channel_type=ChannelType.SMS, capabilities=ChannelCapabilities(max_length=10)
    )
    kit.register_channel(sms)
    from roomkit import WebSocketChannel

    kit.register_channel(WebSocketChannel("ws"))
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "sms", metadata={"to": "+15550001"})
    await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="hello there you"))
    )
    assert sms.sent == [("+15550001", "hello"), ("+15550001", "there you")]


class RecordingProvider:
    """A provider as RoomKit 0.6.7 transports took it: ``send(event, to=..., **defaults)``."""

    name = "recording"

    def __init__(self, result: ProviderResult) -> None:
        self.result = result
        self.calls: list[tuple[str, dict[str, object]]] = []

    async def send(self, event: RoomEvent, *, to: str, **defaults: object) -> ProviderResult:
        self.calls.append((to, defaults))
        return self.result


async def test_sends_through_a_provider_the_0_6_7_way() -> None:
    provider = RecordingProvider(ProviderResult.sent("pm-1"))
    channel = TransportChannel(
        "sms",
        ChannelType.SMS,
        provider=provider,
        recipient_key="phone",
        defaults={"from_": "+15550000"},
    )
    assert channel.provider is provider
    assert channel.provider_name == "recording"
    kit = RoomKit()
    kit.register_channel(channel)
    kit.register_channel(WebSocketChannel("ws"))
    room = await kit.create_room()
    await kit.attach_channel(room.id, "sms", metadata={"phone": "+15551234"})
    await kit.attach_channel(room.id, "ws")
    await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="hello"))
    )
    assert provider.calls == [("+15551234", {"from_": "+15550000"})]

    failing = RecordingProvider(ProviderResult.failed("number blocked"))
    kit.register_channel(TransportChannel("sms2", ChannelType.SMS, provider=failing))
    await kit.attach_channel(room.id, "sms2", participant_id="+15559999")
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="again"))
    )
    assert failing.calls == [("+15559999", {})]
    stored = await kit.store.get_event(result.event.id)
    assert stored is not None
    delivery = stored.delivery_results["sms2"]
    assert not delivery.success
    assert "number blocked" in (delivery.error or "")
