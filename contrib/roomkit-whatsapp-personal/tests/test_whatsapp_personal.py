"""roomkit-whatsapp-personal. neonize talks only to WhatsApp's servers, which no test can
reach: the mapping is tested on neonize's own protobuf types built here, the source feeds
them into a real kit, and the provider runs on a real (never connected) neonize client, whose
own errors it must turn into typed failures."""

from __future__ import annotations

import asyncio
import base64
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from neonize.proto.Neonize_pb2 import (
    JID,
    ChatPresence,
    Message,
    MessageInfo,
    MessageSource,
    Receipt,
)
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AudioMessage,
    DocumentMessage,
    ExtendedTextMessage,
    ImageMessage,
    LocationMessage,
    ReactionMessage,
    VideoMessage,
)
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as WAMessage
from roomkit_whatsapp_personal import (
    NeonizeWhatsAppProvider,
    WhatsAppPersonalConfig,
    WhatsAppPersonalSourceProvider,
    kit_event_handler,
)
from roomkit_whatsapp_personal.mapping import (
    address_of,
    inbound_message,
    jid_for,
    outgoing_parts,
    reaction_of,
    receipt_updates,
    typing_of,
)

from roomkit import RoomKit
from roomkit.channels import WhatsAppPersonalChannel
from roomkit.channels.messaging import MessagingChannel
from roomkit.core.webhooks import process_message
from roomkit.errors import TransientProviderError
from roomkit.messaging.index import MessageRef
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    LocationContent,
    MediaContent,
    TextContent,
    VideoContent,
)
from roomkit.models.enums import DeliveryStatus, EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit.sources import SourceStatus
from roomkit_conformance.suites.messaging import sample_event

ADA = JID(User="15550100", Server="s.whatsapp.net")
ME = JID(User="15550999", Server="s.whatsapp.net")


def _event(
    message: WAMessage, *, msg_id: str = "3EB0A1", sender: JID = ADA, **source: object
) -> Message:
    return Message(
        Info=MessageInfo(
            ID=msg_id,
            Pushname="Ada",
            Timestamp=1767225600,
            MessageSource=MessageSource(Chat=sender, Sender=sender, **source),  # type: ignore[arg-type]
        ),
        Message=message,
    )


# -- mapping --------------------------------------------------------------------------------
def test_addresses() -> None:
    assert address_of(jid_for("+15550100")) == "+15550100"
    group = jid_for("120363025246125486@g.us")
    assert (group.User, group.Server) == ("120363025246125486", "g.us")
    assert address_of(group) == "120363025246125486@g.us"
    for bad in ("", "+1", "hello", "@g.us"):
        with pytest.raises(ValueError, match=r"E\.164|JID"):
            jid_for(bad)


def test_incoming_text_media_audio_and_location() -> None:
    text = inbound_message(_event(WAMessage(conversation="hi there")), "wa")
    assert text is not None
    assert text.sender_id == "+15550100"
    assert text.content == TextContent(body="hi there")
    assert (text.external_id, text.idempotency_key) == ("3EB0A1", "neonize:3EB0A1")
    assert text.metadata["push_name"] == "Ada"
    extended = inbound_message(
        _event(WAMessage(extendedTextMessage=ExtendedTextMessage(text="see https://x.io"))), "wa"
    )
    assert extended is not None
    assert extended.content == TextContent(body="see https://x.io")

    image = WAMessage(
        imageMessage=ImageMessage(mimetype="image/png", caption="a cat", fileLength=1200)
    )
    found = inbound_message(_event(image), "wa", media_url="data:image/png;base64,AA==")
    assert found is not None
    assert found.content == MediaContent(
        url="data:image/png;base64,AA==", mime_type="image/png", caption="a cat", size_bytes=1200
    )
    unkept = inbound_message(_event(image), "wa", media_note="[image too large]")
    assert unkept is not None
    assert unkept.content == TextContent(body="a cat [image too large]")

    voice = WAMessage(
        audioMessage=AudioMessage(mimetype="audio/ogg; codecs=opus", seconds=4, PTT=True)
    )
    heard = inbound_message(_event(voice), "wa", media_url="data:audio/ogg;base64,AA==")
    assert heard is not None
    assert isinstance(heard.content, AudioContent)
    assert heard.content.duration_seconds == 4
    assert heard.metadata["voice_note"] is True

    clip = WAMessage(videoMessage=VideoMessage(mimetype="video/mp4", seconds=9))
    seen = inbound_message(_event(clip), "wa", media_url="data:video/mp4;base64,AA==")
    assert seen is not None
    assert isinstance(seen.content, VideoContent)

    doc = WAMessage(documentMessage=DocumentMessage(mimetype="application/pdf", fileName="a.pdf"))
    filed = inbound_message(_event(doc), "wa", media_url="data:application/pdf;base64,AA==")
    assert filed is not None
    assert isinstance(filed.content, MediaContent)
    assert filed.content.filename == "a.pdf"

    where = WAMessage(
        locationMessage=LocationMessage(
            degreesLatitude=45.5, degreesLongitude=-73.6, name="Shop", address="1 Main St"
        )
    )
    located = inbound_message(_event(where), "wa")
    assert located is not None
    assert located.content == LocationContent(
        latitude=45.5, longitude=-73.6, label="Shop", address="1 Main St"
    )
    assert inbound_message(_event(WAMessage()), "wa") is None


def test_a_lid_sender_is_known_by_their_phone_number() -> None:
    lid = JID(User="226543210987654", Server="lid")
    found = inbound_message(_event(WAMessage(conversation="x"), sender=lid, SenderAlt=ADA), "wa")
    assert found is not None
    assert found.sender_id == "+15550100"
    assert found.metadata["sender_jid"] == "226543210987654@lid"


def test_reactions_receipts_and_typing() -> None:
    reaction = WAMessage(reactionMessage=ReactionMessage(key=MessageKey(ID="OUT-1"), text="👍"))
    assert reaction_of(_event(reaction)) == {
        "emoji": "👍",
        "action": "add",
        "target_message_id": "OUT-1",
        "sender": "+15550100",
        "chat": "+15550100",
    }
    assert inbound_message(_event(reaction), "wa") is None
    read = Receipt(
        MessageSource=MessageSource(Chat=ADA, Sender=ADA),
        MessageIDs=["OUT-1", "OUT-2"],
        Type=Receipt.READ,
        Timestamp=1767225600,
    )
    updates = receipt_updates(read, "wa")
    assert [(u.message_id, u.delivery_status) for u in updates] == [
        ("OUT-1", DeliveryStatus.READ),
        ("OUT-2", DeliveryStatus.READ),
    ]
    delivered = Receipt(
        MessageSource=MessageSource(Chat=ADA, Sender=ADA),
        MessageIDs=["OUT-3"],
        Type=Receipt.DELIVERED,
    )
    assert receipt_updates(delivered)[0].delivery_status == DeliveryStatus.DELIVERED
    retry = Receipt(
        MessageSource=MessageSource(Chat=ADA, Sender=ADA), MessageIDs=["x"], Type=Receipt.RETRY
    )
    assert receipt_updates(retry) == []
    composing = ChatPresence(
        MessageSource=MessageSource(Chat=ADA, Sender=ADA),
        State=ChatPresence.COMPOSING,
        Media=ChatPresence.AUDIO,
    )
    typing = typing_of(composing)
    assert (typing.sender, typing.is_typing, typing.media) == ("+15550100", True, "audio")
    paused = ChatPresence(
        MessageSource=MessageSource(Chat=ADA, Sender=ADA), State=ChatPresence.PAUSED
    )
    assert typing_of(paused).is_typing is False


def test_outgoing_parts() -> None:
    content = CompositeContent(
        parts=[
            TextContent(body="Your parcel"),
            LocationContent(latitude=45.5, longitude=-73.6, label="Depot"),
            MediaContent(url="https://m.example.com/p.jpg", mime_type="image/jpeg", caption="it"),
            MediaContent(url="https://m.example.com/i.pdf", mime_type="application/pdf"),
            AudioContent(url="https://m.example.com/v.ogg", mime_type="audio/ogg"),
        ]
    )
    text, location, image, document, audio = outgoing_parts(sample_event(content))
    assert text.text == "Your parcel"
    assert location.message is not None
    assert location.message.locationMessage.degreesLatitude == 45.5
    assert location.message.locationMessage.name == "Depot"
    assert (image.kind, image.caption) == ("image", "it")
    assert document.kind == "document"
    assert (audio.kind, audio.voice_note) == ("audio", True)


# -- the source into a real kit -------------------------------------------------------------
@pytest.fixture
async def wired(tmp_path: Path) -> AsyncIterator[tuple[RoomKit, WhatsAppPersonalSourceProvider]]:
    kit = RoomKit()
    handler = kit_event_handler(kit, "wa")
    source = WhatsAppPersonalSourceProvider(
        str(tmp_path / "session.sqlite3"), "wa", on_event=handler
    )
    provider = NeonizeWhatsAppProvider(source)
    kit.register_channel(WhatsAppPersonalChannel("wa", provider=provider))

    async def emit(message: object) -> object:
        return await process_message(kit, message)  # type: ignore[arg-type]

    source._emit = emit  # what start(emit) sets, without dialling WhatsApp
    yield kit, source
    await kit.close()


async def test_messages_reach_rooms_once_and_events_cross(
    wired: tuple[RoomKit, WhatsAppPersonalSourceProvider],
) -> None:
    kit, source = wired
    first = await source.handle_message(_event(WAMessage(conversation="MARKER-wa")))
    assert first is not None
    await source.handle_message(_event(WAMessage(conversation="MARKER-wa")))  # redelivered
    mine = _event(WAMessage(conversation="sent from my phone"), msg_id="ME-1", IsFromMe=True)
    assert await source.handle_message(mine) is None
    (room,) = await kit.list_rooms()
    bodies = [getattr(e.content, "body", None) for e in await kit.get_timeline(room.id)]
    assert bodies.count("MARKER-wa") == 1
    health = await source.healthcheck()
    assert health.messages_received == 2

    seen: list[EphemeralEvent] = []

    async def record(event: EphemeralEvent) -> None:
        seen.append(event)

    await kit.subscribe_room(room.id, record)
    await source.handle_presence(
        ChatPresence(
            MessageSource=MessageSource(Chat=ADA, Sender=ADA), State=ChatPresence.COMPOSING
        )
    )
    # a message the channel sent earlier, then WhatsApp's read receipt for it
    sent = await kit.send_event(room.id, TextContent(body="hello Ada"), channel_id="system")
    assert sent.event is not None
    channel = kit.get_channel("wa")
    assert isinstance(channel, MessagingChannel)
    await channel.message_index.put(  # as the channel records a message it sent
        "sent:OUT-9", MessageRef(room_id=room.id, event_id=sent.event.id, channel_id="wa")
    )
    await source.handle_receipt(
        Receipt(
            MessageSource=MessageSource(Chat=ADA, Sender=ADA),
            MessageIDs=["OUT-9"],
            Type=Receipt.READ,
        )
    )
    reaction = WAMessage(reactionMessage=ReactionMessage(key=MessageKey(ID="OUT-9"), text="❤️"))
    await source.handle_message(_event(reaction, msg_id="R-1"))
    await kit.drain(timeout=10)
    kinds = {e.type: e for e in seen}
    assert kinds[EphemeralEventType.TYPING_START].user_id == "+15550100"
    assert kinds[EphemeralEventType.READ_RECEIPT].data["event_id"] == sent.event.id
    assert kinds[EphemeralEventType.REACTION].data["target_event_id"] == sent.event.id
    stored = await kit.get_event(sent.event.id)
    assert stored is not None
    assert stored.delivery_results["wa"].status == DeliveryStatus.READ


async def test_inbound_media_over_the_limit_arrives_as_a_note(tmp_path: Path) -> None:
    got: list[object] = []

    async def emit(message: object) -> None:
        got.append(message)

    source = WhatsAppPersonalSourceProvider(
        config=WhatsAppPersonalConfig(db=str(tmp_path / "s.sqlite3"), inbound_media_max_bytes=10)
    )
    source._emit = emit
    big = WAMessage(
        imageMessage=ImageMessage(mimetype="image/jpeg", caption="big", fileLength=5000)
    )
    message = await source.handle_message(_event(big))
    assert message is not None
    assert isinstance(message.content, TextContent)
    assert "5000 bytes not kept" in message.content.body


# -- the provider on a real, unconnected neonize client ----------------------------------------
@pytest.fixture
async def provider(tmp_path: Path) -> AsyncIterator[NeonizeWhatsAppProvider]:
    found = NeonizeWhatsAppProvider(
        WhatsAppPersonalConfig(db=str(tmp_path / "offline.sqlite3"), timeout=5.0)
    )
    yield found
    await found.close()


async def test_sends_fail_typed_while_the_account_is_offline(
    provider: NeonizeWhatsAppProvider,
) -> None:
    result = await provider.send(sample_event(TextContent(body="hi")), "+15550100")
    assert (result.success, result.retryable) == (False, True)
    assert "SendMessageError" in (result.error or "")
    bad = await provider.send(sample_event(TextContent(body="hi")), "not a number")
    assert (bad.success, bad.retryable) == (False, False)
    with pytest.raises(TransientProviderError, match="typing"):
        await provider.send_typing("+15550100")
    with pytest.raises(TransientProviderError, match="read receipt"):
        await provider.mark_read(["3EB0A1"], "+15550100", "+15550100")


async def test_media_too_large_for_whatsapp_is_refused_before_upload(
    provider: NeonizeWhatsAppProvider,
) -> None:
    declared = MediaContent(
        url="https://m.example.invalid/huge.jpg", mime_type="image/jpeg", size_bytes=6 * 1024 * 1024
    )
    result = await provider.send(sample_event(declared), "+15550100")
    assert (result.success, result.retryable) == (False, False)
    assert "too large" in (result.error or "")
    blob = base64.b64encode(b"\0" * (5 * 1024 * 1024 + 1)).decode()
    inline = MediaContent(url=f"data:image/png;base64,{blob}", mime_type="image/png")
    result = await provider.send(sample_event(inline), "+15550100")
    assert (result.success, result.retryable) == (False, False)
    corrupt = MediaContent(url="data:image/png;base64,iVBORw0KGgo=", mime_type="image/png")
    refused = await provider.send(sample_event(corrupt), "+15550100")
    assert (refused.success, refused.retryable) == (False, False)
    assert "could not be prepared" in (refused.error or "")
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    png = base64.b64encode(buffer.getvalue()).decode()
    small = MediaContent(url=f"data:image/png;base64,{png}", mime_type="image/png")
    offline = await provider.send(sample_event(small), "+15550100")
    assert (offline.success, offline.retryable) == (False, True), offline.error
    assert "UploadError" in (offline.error or ""), offline.error


async def test_the_source_reports_a_failed_connection(tmp_path: Path) -> None:
    source = WhatsAppPersonalSourceProvider(str(tmp_path / "dial.sqlite3"))

    async def emit(message: object) -> None:
        raise AssertionError("no message can arrive")

    running = asyncio.create_task(source.start(emit))
    for _ in range(300):
        if source.status != SourceStatus.STOPPED:
            break
        await asyncio.sleep(0.01)
    assert source.status in (SourceStatus.CONNECTING, SourceStatus.CONNECTED, SourceStatus.ERROR)
    done, _ = await asyncio.wait({running}, timeout=30)
    try:
        if not done:
            pytest.skip("this machine reaches WhatsApp: pairing waits for a QR scan")
        # start() raises when the connection fails, so a kit restarts it with backoff.
        assert running.exception() is not None
        health = await source.healthcheck()
        assert source.status == SourceStatus.ERROR, health
        assert health.error, "the failure's reason is reported"
    finally:
        await source.stop()
        if not running.done():
            running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert source.status == SourceStatus.STOPPED


def test_packaging() -> None:
    import roomkit_whatsapp_personal.plugin as plugin

    from roomkit.plugins import load_ref

    found = []
    plugin.roomkit_register_messaging_providers(found.append)
    (descriptor,) = found
    assert load_ref(descriptor.factory) is NeonizeWhatsAppProvider
    assert descriptor.conformance_exempt
    code = "import sys, roomkit_whatsapp_personal; sys.exit('neonize' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    import roomkit

    assert roomkit.NeonizeWhatsAppProvider is NeonizeWhatsAppProvider
    assert roomkit.WhatsAppPersonalSourceProvider is WhatsAppPersonalSourceProvider
