"""TransportChannel: the configurable base of transport channels."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit import (
    ChannelBinding,
    ChannelCapabilities,
    ChannelType,
    InboundMessage,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    TransportChannel,
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


def test_is_abstract() -> None:
    with pytest.raises(TypeError):
        TransportChannel("x")  # type: ignore[abstract]


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
