"""``WhatsAppPersonalSourceProvider``: a linked WhatsApp account as an event source.

neonize keeps a WebSocket to WhatsApp's servers and calls back with protobuf events; the
source maps them (:mod:`roomkit_whatsapp_personal.mapping`) and hands them on:

* incoming messages -> ``emit(InboundMessage)`` (the kit's ``process_message`` or a
  ``roomkit.sources`` runner), their media downloaded and decrypted by neonize and kept as
  ``data:`` URLs up to ``inbound_media_max_bytes``;
* reactions, typing (``ChatPresence``), delivery and read receipts -> ``on_event(kind, data)``
  (see :func:`roomkit_whatsapp_personal.events.kit_event_handler`, which publishes them into
  rooms as ephemeral events and delivery records).

It is a :class:`roomkit.sources.SourceProvider`: ``kit.attach_source(channel_id, source)``
supervises it (``start(emit)`` runs while the connection lasts and raises when it fails, so
the kit restarts it with backoff), and ``roomkit.sources.WhatsAppPersonalSourceProvider``
resolves to it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from neonize.aioze.client import NewAClient
from neonize.proto.Neonize_pb2 import ChatPresence, Message, Receipt
from neonize.proto.waCompanionReg.WAWebProtobufsCompanionReg_pb2 import DeviceProps
from neonize.utils.enum import ChatPresence as PresenceState
from neonize.utils.enum import ChatPresenceMedia, ReceiptType

from roomkit.models.event import InboundMessage
from roomkit.sources import EmitCallback, SourceHealth, SourceProvider, SourceStatus
from roomkit_whatsapp_personal.config import WhatsAppPersonalConfig
from roomkit_whatsapp_personal.mapping import (
    inbound_media,
    inbound_message,
    jid_for,
    reaction_of,
    receipt_updates,
    typing_of,
)

__all__ = ["EventCallback", "WhatsAppPersonalSourceProvider"]

logger = logging.getLogger("roomkit.whatsapp_personal")

EventCallback = Callable[[str, Any], Awaitable[None]]
"""Receives ``("reaction", dict)``, ``("typing", Typing)``, ``("receipt",
DeliveryStatusUpdate)`` notifications."""


class WhatsAppPersonalSourceProvider(SourceProvider):
    """The neonize event source of one linked account (see the module docstring)."""

    PLATFORMS = {
        "chrome": DeviceProps.CHROME,
        "firefox": DeviceProps.FIREFOX,
        "safari": DeviceProps.SAFARI,
        "edge": DeviceProps.EDGE,
        "desktop": DeviceProps.DESKTOP,
    }
    RECEIPT_TYPES = {
        "delivered": ReceiptType.DELIVERED,
        "read": ReceiptType.READ,
        "played": ReceiptType.PLAYED,
    }

    def __init__(
        self,
        db: str = "whatsapp-session.db",
        channel_id: str = "whatsapp-personal",
        *,
        parser: Callable[[Message, str], InboundMessage | None] | None = None,
        on_event: EventCallback | None = None,
        device_name: str = "RoomKit",
        device_platform: str = "chrome",
        self_chat: bool = False,
        client: NewAClient | None = None,
        config: WhatsAppPersonalConfig | None = None,
    ) -> None:
        self.config = config or WhatsAppPersonalConfig(
            db=db,
            channel_id=channel_id,
            device_name=device_name,
            device_platform=device_platform,
            self_chat=self_chat,
        )
        self._parser = parser
        self._on_event = on_event
        self._client = client
        self._emit: EmitCallback | None = None
        self._task: asyncio.Task[Any] | None = None
        self._stopping = False
        self._health = SourceHealth()

    # -- the neonize client ---------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"whatsapp-personal:{self.config.channel_id}"

    @property
    def client(self) -> NewAClient:
        """The neonize client (built on first use from the session database)."""
        if self._client is None:
            props = DeviceProps(
                os=self.config.device_name,
                platformType=self.PLATFORMS[self.config.device_platform],
            )
            self._client = NewAClient(self.config.db, props=props)
        return self._client

    @property
    def status(self) -> SourceStatus:
        """The connection state."""
        return self._health.status

    async def healthcheck(self) -> SourceHealth:
        """A copy of the source's health."""
        return self._health.model_copy(deep=True)

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, emit: EmitCallback) -> None:
        """Register the event handlers, connect and handle events until the connection ends
        (messages go to ``emit``); raises when the connection fails, returns after
        :meth:`stop`. ``status`` follows the connection."""
        if self._task is not None:
            raise RuntimeError(f"{self.name} is already started")
        self._emit = emit
        client = self.client
        client.event(Message)(self._on_message_event)
        client.event(Receipt)(self._on_receipt_event)
        client.event(ChatPresence)(self._on_presence_event)
        self._health.status = SourceStatus.CONNECTING
        self._health.error = None
        self._stopping = False
        self._task = task = asyncio.get_running_loop().create_task(self._run(client))
        try:
            await task
        except asyncio.CancelledError:
            if not self._stopping:
                raise
        finally:
            if self._task is task:
                self._task = None

    async def _run(self, client: NewAClient) -> None:
        try:
            await client.connect()
            self._health.status = SourceStatus.CONNECTED
            self._health.connected_at = datetime.now(UTC)
            await client.idle()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._health.status = SourceStatus.ERROR
            self._health.error = f"{type(exc).__name__}: {exc}"
            logger.warning("whatsapp-personal: the connection failed (%s)", type(exc).__name__)
            raise

    async def stop(self) -> None:
        """Disconnect and stop handling events."""
        task, self._task = self._task, None
        self._stopping = True
        if self._client is not None and self._health.status == SourceStatus.CONNECTED:
            try:
                async with asyncio.timeout(self.config.timeout):
                    await self._client.disconnect()
            except Exception as exc:
                logger.info("whatsapp-personal: disconnect failed (%s)", type(exc).__name__)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._health.status = SourceStatus.STOPPED
        self._emit = None

    # -- events -----------------------------------------------------------------------------
    async def _on_message_event(self, client: NewAClient, event: Message) -> None:
        await self.handle_message(event)

    async def _on_receipt_event(self, client: NewAClient, event: Receipt) -> None:
        await self.handle_receipt(event)

    async def _on_presence_event(self, client: NewAClient, event: ChatPresence) -> None:
        await self.handle_presence(event)

    async def _media_url(self, event: Message) -> tuple[str | None, str | None]:
        media = inbound_media(event.Message)
        if media is None:
            return None, None
        limit = self.config.inbound_media_max_bytes
        if media.size_bytes > limit:
            return None, f"[{media.kind} of {media.size_bytes} bytes not kept: over {limit}]"
        try:
            async with asyncio.timeout(self.config.timeout):
                data = await self.client.download_any(event.Message)
        except Exception as exc:
            logger.info("whatsapp-personal: media download failed (%s)", type(exc).__name__)
            return None, f"[{media.kind} could not be downloaded]"
        if not isinstance(data, bytes) or len(data) > limit:
            return None, f"[{media.kind} not kept: over {limit} bytes]"
        encoded = base64.b64encode(data).decode()
        return f"data:{media.mime_type};base64,{encoded}", None

    async def handle_message(self, event: Message) -> InboundMessage | None:
        """Map a neonize ``Message`` event and hand it on (what the client's callback
        does); returns the message emitted, if any."""
        source = event.Info.MessageSource
        if source.IsFromMe and not self.config.self_chat:
            return None
        reaction = reaction_of(event)
        if reaction is not None:
            if self._on_event is not None:
                await self._on_event("reaction", reaction)
            return None
        if self._parser is not None:
            message = self._parser(event, self.config.channel_id)
        else:
            url, note = await self._media_url(event)
            message = inbound_message(event, self.config.channel_id, media_url=url, media_note=note)
        if message is None:
            return None
        self._health.messages_received += 1
        self._health.last_message_at = datetime.now(UTC)
        if self._emit is None:
            logger.warning("whatsapp-personal: a message arrived before start(): dropped")
            return None
        await self._emit(message)
        return message

    async def handle_receipt(self, event: Receipt) -> None:
        """Map a ``Receipt`` event to delivery-status updates for ``on_event``."""
        if self._on_event is None:
            return
        for update in receipt_updates(event, self.config.channel_id):
            await self._on_event("receipt", update)

    async def handle_presence(self, event: ChatPresence) -> None:
        """Map a ``ChatPresence`` event to a typing notification for ``on_event``."""
        if self._on_event is not None:
            await self._on_event("typing", typing_of(event))

    # -- RoomKit 0.6.7's direct calls ---------------------------------------------------------
    async def send(self, jid: str, text: str) -> Any:
        """Send ``text`` to ``jid`` (a phone number or JID string); neonize's answer."""
        async with asyncio.timeout(self.config.timeout):
            return await self.client.send_message(jid_for(jid), text)

    async def send_composing(self, jid: str, *, media: str = "text") -> None:
        """Show "typing..." (or "recording audio..." with ``media="audio"``) to ``jid``."""
        kind = (
            ChatPresenceMedia.CHAT_PRESENCE_MEDIA_AUDIO
            if media == "audio"
            else ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT
        )
        async with asyncio.timeout(self.config.timeout):
            await self.client.send_chat_presence(
                jid_for(jid), PresenceState.CHAT_PRESENCE_COMPOSING, kind
            )

    async def send_paused(self, jid: str) -> None:
        """Stop showing "typing..." to ``jid``."""
        async with asyncio.timeout(self.config.timeout):
            await self.client.send_chat_presence(
                jid_for(jid),
                PresenceState.CHAT_PRESENCE_PAUSED,
                ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT,
            )

    async def mark_read(self, message_ids: list[str], chat: str, sender: str) -> None:
        """Send read receipts (blue ticks) for ``message_ids`` of ``sender`` in ``chat``."""
        async with asyncio.timeout(self.config.timeout):
            await self.client.mark_read(
                *message_ids,
                chat=jid_for(chat),
                sender=jid_for(sender),
                receipt=ReceiptType.READ,
            )

    async def send_reaction(self, chat: str, sender: str, message_id: str, emoji: str) -> None:
        """React with ``emoji`` (``""`` takes a reaction back) to a message."""
        async with asyncio.timeout(self.config.timeout):
            client = self.client
            reaction = await client.build_reaction(
                jid_for(chat), jid_for(sender), message_id, emoji
            )
            await client.send_message(jid_for(chat), reaction)
