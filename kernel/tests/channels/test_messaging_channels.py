"""The messaging channel factories: 0.6.7 call shapes, capabilities, recipients, failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import roomkit.channels as channels
from roomkit import AIChannel, RoomKit, WebSocketChannel
from roomkit.channels.email import EmailChannel
from roomkit.channels.http import HTTPChannel
from roomkit.channels.messaging import MessagingChannel
from roomkit.channels.messenger import MessengerChannel
from roomkit.channels.rcs import RCSChannel
from roomkit.channels.sms import SMSChannel
from roomkit.channels.teams import TeamsChannel
from roomkit.channels.telegram import TelegramChannel
from roomkit.channels.transport import TransportChannel
from roomkit.channels.whatsapp import WhatsAppChannel
from roomkit.channels.whatsapp_personal import WhatsAppPersonalChannel
from roomkit.errors import ConfigurationError, PermanentProviderError, TransientProviderError
from roomkit.models.content import (
    CompositeContent,
    LocationContent,
    MediaContent,
    RichButton,
    RichContent,
    TextContent,
)
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    DeliveryStatus,
    EphemeralEventType,
    EventStatus,
)
from roomkit.models.event import EphemeralEvent, EventSource, InboundMessage, RoomEvent
from roomkit.models.room import ChannelBinding, RetryPolicy, Room
from roomkit.testing import (
    MockAIProvider,
    MockEmailProvider,
    MockHTTPProvider,
    MockMessengerProvider,
    MockRCSProvider,
    MockSMSProvider,
    MockTeamsProvider,
    MockTelegramProvider,
    MockWhatsAppPersonalProvider,
    MockWhatsAppProvider,
)

M = ChannelMediaType

# (factory, mock, channel type, recipient key, media the seed's Channels table lists)
TABLE: list[tuple[Any, Any, ChannelType, str, set[ChannelMediaType]]] = [
    (SMSChannel, MockSMSProvider, ChannelType.SMS, "phone_number", {M.TEXT, M.MEDIA}),
    (RCSChannel, MockRCSProvider, ChannelType.RCS, "phone_number", {M.TEXT, M.RICH, M.MEDIA}),
    (EmailChannel, MockEmailProvider, ChannelType.EMAIL, "email_address",
     {M.TEXT, M.RICH, M.MEDIA}),
    (HTTPChannel, MockHTTPProvider, ChannelType.WEBHOOK, "recipient_id", {M.TEXT, M.RICH}),
    (MessengerChannel, MockMessengerProvider, ChannelType.MESSENGER, "facebook_user_id",
     {M.TEXT, M.RICH, M.MEDIA, M.TEMPLATE}),
    (TeamsChannel, MockTeamsProvider, ChannelType.TEAMS, "teams_conversation_id", {M.TEXT, M.RICH}),
    (TelegramChannel, MockTelegramProvider, ChannelType.TELEGRAM, "telegram_chat_id",
     {M.TEXT, M.RICH, M.MEDIA}),
    (WhatsAppChannel, MockWhatsAppProvider, ChannelType.WHATSAPP, "phone_number",
     {M.TEXT, M.RICH, M.MEDIA, M.LOCATION, M.TEMPLATE}),
    (WhatsAppPersonalChannel, MockWhatsAppPersonalProvider, ChannelType.WHATSAPP_PERSONAL,
     "phone_number", {M.TEXT, M.MEDIA, M.AUDIO, M.LOCATION}),
]  # fmt: skip


def _seed_table() -> dict[str, set[str]]:
    """``type -> media`` rows of the seed README's Channels table."""
    for parent in Path(__file__).resolve().parents:
        readme = parent / "shared" / "seed" / "roomkit-0.6.7-README.md"
        if readme.exists():
            break
    else:
        pytest.skip("seed README not beside the checkout")
    rows: dict[str, set[str]] = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`"):
            media = {m.strip() for m in cells[2].split(",")}
            rows[cells[1].strip("`")] = {"media" if m == "MMS" else m for m in media}
    return rows


@pytest.mark.parametrize("row", TABLE, ids=lambda r: r[0].__name__)
def test_factory_shape_type_and_capabilities(row: Any) -> None:
    factory, mock, channel_type, recipient_key, media = row
    channel = factory("ch-1", provider=mock())
    assert isinstance(channel, TransportChannel)
    assert isinstance(channel, MessagingChannel)
    assert channel.channel_type == channel_type
    assert channel.category == ChannelCategory.TRANSPORT
    assert channel.direction == ChannelDirection.BIDIRECTIONAL
    assert channel.recipient_key == recipient_key
    caps = channel.capabilities()
    assert media <= set(caps.media_types)
    assert getattr(channels, factory.__name__) is factory
    seed = _seed_table().get(str(channel_type))
    if seed is not None:
        assert {str(m) for m in media} == seed, "the test's table must match the seed's"
    info = channel.info()
    assert info["provider"] == mock.__name__
    assert info["recipient_key"] == recipient_key


def test_sms_limits_and_other_kind_specific_settings() -> None:
    sms = SMSChannel("sms", provider=MockSMSProvider(), from_number="+15550009999")
    assert sms.capabilities().max_length == 1600
    assert sms.capabilities().delivery_receipts
    assert sms.from_number == "+15550009999"
    assert RCSChannel("r", fallback=False).fallback is False
    rcs_caps = RCSChannel("r").capabilities()
    assert rcs_caps.supports_cards
    assert rcs_caps.supports_buttons
    assert rcs_caps.supports_quick_replies
    email = EmailChannel("e", from_address="us@example.com", subject="Hello")
    assert (email.from_address, email.subject) == ("us@example.com", "Hello")
    assert email.capabilities().supports_threading
    assert WhatsAppPersonalChannel("w").capabilities().supports_typing


def test_a_non_provider_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="messaging provider"):
        SMSChannel("sms", provider=object())  # type: ignore[arg-type]


async def _room(kit: RoomKit, channel: MessagingChannel, **attach: Any) -> str:
    kit.register_channel(channel)
    kit.register_channel(WebSocketChannel("ws"))
    room = await kit.create_room()
    await kit.attach_channel(room.id, channel.channel_id, **attach)
    await kit.attach_channel(room.id, "ws")
    return room.id


async def _say(kit: RoomKit, room_id: str, content: Any) -> RoomEvent:
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="agent", content=content), room_id=room_id
    )
    assert result.event is not None
    return result.event


@pytest.mark.parametrize(
    ("attach", "expected"),
    [
        ({"metadata": {"phone_number": "+1111", "to": "+2222"}, "participant_id": "+3"}, "+1111"),
        ({"metadata": {"to": "+2222"}, "participant_id": "+3"}, "+2222"),
        ({"participant_id": "+3"}, "+3"),
    ],
)  # fmt: skip
async def test_recipient_resolution_order(attach: dict[str, Any], expected: str) -> None:
    kit = RoomKit()
    sms = MockSMSProvider()
    room_id = await _room(kit, SMSChannel("sms", provider=sms), **attach)
    await _say(kit, room_id, TextContent(body="hi"))
    assert [entry["to"] for entry in sms.sent] == [expected]


async def test_the_last_inbound_sender_is_the_fallback_recipient() -> None:
    kit = RoomKit()
    sms = MockSMSProvider()
    room_id = await _room(kit, SMSChannel("sms", provider=sms))
    await kit.process_inbound(
        InboundMessage(channel_id="sms", sender_id="+14445556666", content=TextContent(body="q")),
        room_id=room_id,
    )
    await _say(kit, room_id, TextContent(body="answer"))
    assert [entry["to"] for entry in sms.sent] == ["+14445556666"]


async def test_no_recipient_fails_permanently_instead_of_sending_to_nobody() -> None:
    kit = RoomKit()
    sms = MockSMSProvider()
    room_id = await _room(
        kit,
        SMSChannel("sms", provider=sms),
        retry_policy=RetryPolicy(max_retries=3, base_delay_seconds=0),
    )
    event = await _say(kit, room_id, TextContent(body="hi"))
    assert sms.sent == []
    result = event.delivery_results["sms"]
    assert result.status == DeliveryStatus.FAILED
    assert result.attempts == 1  # permanent: not retried
    assert "no recipient" in (result.error or "")
    assert "phone_number" in (result.error or "")


async def test_a_channel_without_provider_is_a_configuration_error() -> None:
    channel = SMSChannel("sms")
    room = Room()
    binding = ChannelBinding(
        room_id=room.id, channel_id="sms", channel_type=ChannelType.SMS, participant_id="+1"
    )
    event = RoomEvent(
        room_id=room.id,
        source=EventSource(channel_id="x", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="x"),
    )
    with pytest.raises(ConfigurationError, match="no provider"):
        await channel.deliver(event, binding, RoomContext(room=room, bindings=[binding]))


async def test_transient_failures_are_retried_and_permanent_ones_are_not() -> None:
    kit = RoomKit()
    sms = MockSMSProvider()
    policy = RetryPolicy(max_retries=2, base_delay_seconds=0)
    room_id = await _room(
        kit, SMSChannel("sms", provider=sms), participant_id="+1", retry_policy=policy
    )
    sms.fail_with_status(503)
    await _say(kit, room_id, TextContent(body="retried"))
    await kit.drain(timeout=10)
    assert [e["event"].content.body for e in sms.sent] == ["retried"]
    sms.fail_with_status(400, times=5)
    event = await _say(kit, room_id, TextContent(body="refused"))
    await kit.drain(timeout=10)
    stored = await kit.get_event(event.id)
    assert stored is not None
    assert stored.delivery_results["sms"].status == DeliveryStatus.FAILED
    assert stored.delivery_results["sms"].attempts == 1
    assert "HTTP 400" in (stored.delivery_results["sms"].error or "")
    assert stored.status == EventStatus.FAILED


async def test_errors_raised_by_a_provider_are_classified() -> None:
    class Flaky(MockSMSProvider):
        def __init__(self, exc: BaseException) -> None:
            super().__init__()
            self.exc = exc

        async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> Any:
            raise self.exc

    room = Room()
    binding = ChannelBinding(
        room_id=room.id, channel_id="s", channel_type=ChannelType.SMS, participant_id="+1"
    )
    ctx = RoomContext(room=room, bindings=[binding])
    event = RoomEvent(
        room_id=room.id,
        source=EventSource(channel_id="x", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="x"),
    )
    for exc, expected in [
        (TimeoutError("slow"), TransientProviderError),
        (ConnectionResetError("reset"), TransientProviderError),
    ]:
        with pytest.raises(expected):
            await SMSChannel("s", provider=Flaky(exc)).deliver(event, binding, ctx)

    class Wrong(MockSMSProvider):
        async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> Any:
            return "not a result"

    from roomkit.errors import DeliveryError

    with pytest.raises(DeliveryError, match="ProviderResult"):
        await SMSChannel("s", provider=Wrong()).deliver(event, binding, ctx)


async def test_sms_long_text_is_split_and_segments_are_reported() -> None:
    kit = RoomKit()
    sms = MockSMSProvider()
    room_id = await _room(
        kit, SMSChannel("sms", provider=sms, from_number="+15550009999"), participant_id="+1"
    )
    await _say(kit, room_id, TextContent(body="word " * 500))  # 2,500 characters
    assert len(sms.sent) == 2
    assert all(len(e["event"].content.body) <= 1600 for e in sms.sent)
    assert all(e["from"] == "+15550009999" for e in sms.sent)
    assert [e["event"].metadata["part"] for e in sms.sent] == [1, 2]
    channel = kit.get_channel("sms")
    room = Room(id="r")
    binding = ChannelBinding(
        room_id="r", channel_id="sms", channel_type=ChannelType.SMS, participant_id="+1"
    )
    event = RoomEvent(
        room_id="r",
        source=EventSource(channel_id="x", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="é" * 200 + "ç"),
    )
    output = await channel.deliver(event, binding, RoomContext(room=room, bindings=[binding]))
    assert output.metadata["sms_encoding"] == "UCS-2"
    assert output.metadata["sms_segments"] == 3
    assert output.metadata["provider_message_id"]


async def test_sms_mms_media_and_binding_sender() -> None:
    kit = RoomKit()
    sms = MockSMSProvider()
    room_id = await _room(
        kit, SMSChannel("sms", provider=sms), participant_id="+1", metadata={"from": "+15557770000"}
    )
    await _say(
        kit,
        room_id,
        CompositeContent(
            parts=[
                TextContent(body="look"),
                MediaContent(url="https://x/cat.png", mime_type="image/png", caption="cat"),
                LocationContent(latitude=1, longitude=2, label="here"),
            ]
        ),
    )
    kinds = [type(e["event"].content).__name__ for e in sms.sent]
    assert kinds == ["TextContent", "MediaContent", "TextContent"]  # location as text
    assert sms.sent[1]["event"].content.url == "https://x/cat.png"
    assert {e["from"] for e in sms.sent} == {"+15557770000"}


async def test_rich_content_is_transcoded_per_channel_capabilities() -> None:
    kit = RoomKit()
    sms, rcs = MockSMSProvider(), MockRCSProvider()
    kit.register_channel(SMSChannel("sms", provider=sms))
    kit.register_channel(RCSChannel("rcs", provider=rcs))
    kit.register_channel(WebSocketChannel("ws"))
    room = await kit.create_room()
    for channel_id in ("sms", "rcs"):
        await kit.attach_channel(room.id, channel_id, participant_id="+1")
    await kit.attach_channel(room.id, "ws")
    rich = RichContent(
        body="**Pick** one", buttons=[RichButton(label="Yes"), RichButton(label="No")]
    )
    await _say(kit, room.id, rich)
    assert isinstance(rcs.sent[0]["event"].content, RichContent)
    assert rcs.sent[0]["fallback"] is True
    text = sms.sent[0]["event"].content
    assert isinstance(text, TextContent)
    assert text.body == "Pick one\n1. Yes\n2. No"


async def test_rcs_fallback_is_recorded_in_the_output() -> None:
    channel = RCSChannel("rcs", provider=MockRCSProvider(simulate_fallback=True))
    room = Room()
    binding = ChannelBinding(
        room_id=room.id,
        channel_id="rcs",
        channel_type=ChannelType.RCS,
        metadata={"phone_number": "+1"},
    )
    event = RoomEvent(
        room_id=room.id,
        source=EventSource(channel_id="x", channel_type=ChannelType.WEBSOCKET),
        content=TextContent(body="x"),
    )
    output = await channel.deliver(event, binding, RoomContext(room=room, bindings=[binding]))
    assert (output.metadata["channel_used"], output.metadata["fallback"]) == ("sms", True)
    strict = RCSChannel("rcs", provider=MockRCSProvider(simulate_fallback=True), fallback=False)
    with pytest.raises(PermanentProviderError):
        await strict.deliver(event, binding, RoomContext(room=room, bindings=[binding]))


async def test_an_ai_reply_reaches_sms_through_the_engine() -> None:
    kit = RoomKit()
    sms = MockSMSProvider()
    kit.register_channel(SMSChannel("sms", provider=sms))
    kit.register_channel(
        AIChannel("ai", provider=MockAIProvider(responses=["Hi! How can I help?"]))
    )
    room = await kit.create_room()
    await kit.attach_channel(room.id, "sms", participant_id="+15551230000")
    await kit.attach_channel(room.id, "ai", category=ChannelCategory.INTELLIGENCE)
    result = await kit.process_inbound(
        InboundMessage(
            channel_id="sms", sender_id="+15551230000", content=TextContent(body="hello")
        ),
        room_id=room.id,
    )
    assert [e["event"].content.body for e in sms.sent] == ["Hi! How can I help?"]
    assert sms.sent[0]["to"] == "+15551230000"
    assert result.responses[0].status == EventStatus.DELIVERED


async def test_typing_indicators_reach_providers_that_support_them() -> None:
    kit = RoomKit()
    personal = MockWhatsAppPersonalProvider()
    channel = WhatsAppPersonalChannel("wa", provider=personal)
    room = Room()
    binding = ChannelBinding(
        room_id=room.id,
        channel_id="wa",
        channel_type=ChannelType.WHATSAPP_PERSONAL,
        metadata={"phone_number": "+1"},
    )
    await channel.deliver_ephemeral(
        EphemeralEvent(room_id=room.id, type=EphemeralEventType.TYPING_START), binding
    )
    await channel.deliver_ephemeral(
        EphemeralEvent(room_id=room.id, type=EphemeralEventType.TYPING_STOP), binding
    )
    await channel.deliver_ephemeral(
        EphemeralEvent(room_id=room.id, type=EphemeralEventType.PRESENCE_ONLINE), binding
    )
    assert personal.typing == [{"to": "+1", "is_typing": True}, {"to": "+1", "is_typing": False}]
    # a provider without typing support is skipped silently
    await WhatsAppChannel("w", provider=MockWhatsAppProvider()).deliver_ephemeral(
        EphemeralEvent(room_id=room.id, type=EphemeralEventType.TYPING_START), binding
    )
    await kit.close()


async def test_close_closes_the_provider() -> None:
    sms = MockSMSProvider()
    channel = SMSChannel("sms", provider=sms)
    await channel.close()
    await channel.close()
    assert sms.closed
