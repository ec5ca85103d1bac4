"""``NeonizeWhatsAppProvider``: sending as a personal WhatsApp account through neonize.

Implements the kernel's ``WhatsAppPersonalProvider`` for ``WhatsAppPersonalChannel``: text,
media (images, video, documents: fetched within WhatsApp's size limits, then encrypted and
uploaded by neonize), audio (voice notes for ``audio/ogg``), locations, typing indicators,
read receipts and reactions. An event that becomes several WhatsApp messages (a caption-less
composite ...) remembers which parts went out, so a retry after a failure in the middle never
sends a part twice.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

import httpx
from neonize.exc import NeonizeError

from roomkit.errors import TransientProviderError
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.whatsapp.personal import WhatsAppPersonalProvider
from roomkit_whatsapp_personal.config import MEDIA_LIMITS, WhatsAppPersonalConfig
from roomkit_whatsapp_personal.mapping import Outgoing, jid_for, outgoing_parts
from roomkit_whatsapp_personal.media import fetch_media
from roomkit_whatsapp_personal.source import WhatsAppPersonalSourceProvider

__all__ = ["NeonizeWhatsAppProvider", "WhatsAppPersonalConfig", "WhatsAppPersonalSourceProvider"]

_MAX_REMEMBERED = 10_000


class NeonizeWhatsAppProvider(WhatsAppPersonalProvider):
    """Sends through the neonize client of ``source`` (a
    :class:`WhatsAppPersonalSourceProvider`, or a :class:`WhatsAppPersonalConfig` to build
    one). ``to`` is an E.164 number or a JID (``...@g.us`` for a group)."""

    def __init__(self, source: WhatsAppPersonalSourceProvider | WhatsAppPersonalConfig) -> None:
        if isinstance(source, WhatsAppPersonalConfig):
            source = WhatsAppPersonalSourceProvider(config=source)
        self._source = source
        self._config = source.config
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(self._config.timeout))
        self._done: OrderedDict[tuple[str, str], list[str]] = OrderedDict()

    @property
    def name(self) -> str:
        return "NeonizeWhatsAppProvider"

    @property
    def source(self) -> WhatsAppPersonalSourceProvider:
        """The event source whose client this provider sends with."""
        return self._source

    async def _build(self, part: Outgoing) -> Any:
        if part.text is not None:
            return part.text
        if part.message is not None:
            return part.message
        assert part.kind is not None
        assert part.url is not None
        data = await fetch_media(
            self._http,
            part.url,
            limit=MEDIA_LIMITS[part.kind],
            declared_size=part.size_bytes,
            provider=self.name,
        )
        if isinstance(data, ProviderResult):
            return data
        try:
            return await self._upload(part, data)
        except NeonizeError:
            raise
        except Exception as exc:  # neonize's thumbnailing (Pillow) or ffmpeg refused the file
            return ProviderResult.failed(
                f"{self.name}: the {part.kind} could not be prepared for WhatsApp "
                f"({type(exc).__name__}); check the file and its MIME type"
            )

    async def _upload(self, part: Outgoing, data: bytes) -> Any:
        client = self._source.client
        if part.kind == "image":
            return await client.build_image_message(data, caption=part.caption)
        if part.kind == "video":
            return await client.build_video_message(data, caption=part.caption)
        if part.kind == "audio":
            return await client.build_audio_message(data, ptt=part.voice_note)
        return await client.build_document_message(
            data,
            caption=part.caption,
            filename=part.filename,
            mimetype=part.mime_type,
        )

    async def _send_part(self, to: str, part: Outgoing) -> str | ProviderResult:
        try:
            async with asyncio.timeout(self._config.timeout):
                message = await self._build(part)
                if isinstance(message, ProviderResult):
                    return message
                answer = await self._source.client.send_message(jid_for(to), message)
        except TimeoutError:
            return ProviderResult.failed(
                f"{self.name}: WhatsApp did not answer within {self._config.timeout}s",
                retryable=True,
            )
        except NeonizeError as exc:
            return ProviderResult.failed(
                f"{self.name}: {type(exc).__name__}: {exc} (is the account connected?)",
                retryable=True,
            )
        return str(answer.ID)

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Send ``event`` to ``to``; the first WhatsApp message id is the result's (all of
        them in ``metadata["part_ids"]``)."""
        try:
            jid_for(to)
        except ValueError as exc:
            return ProviderResult.failed(f"{self.name}: {exc}")
        parts = outgoing_parts(event)
        if not parts:
            return ProviderResult.failed(f"{self.name}: the event has nothing to send")
        key = (event.id, to)
        sent = self._done.get(key, [])
        for part in parts[len(sent) :]:
            outcome = await self._send_part(to, part)
            if isinstance(outcome, ProviderResult):
                if sent:
                    self._done[key] = sent
                    self._done.move_to_end(key)
                    while len(self._done) > _MAX_REMEMBERED:
                        self._done.popitem(last=False)
                outcome.metadata["sent_parts"] = len(sent)
                return outcome
            sent = [*sent, outcome]
        self._done.pop(key, None)
        return ProviderResult.sent(sent[0], part_ids=sent)

    async def send_typing(self, to: str, *, is_typing: bool = True, media: str = "text") -> None:
        """Show (or stop) "typing..." in the chat with ``to``; a refusal raises
        :class:`~roomkit.errors.TransientProviderError`."""
        try:
            if is_typing:
                await self._source.send_composing(to, media=media)
            else:
                await self._source.send_paused(to)
        except (NeonizeError, TimeoutError) as exc:
            raise TransientProviderError(
                f"{self.name}: typing indicator not sent ({type(exc).__name__})", provider=self.name
            ) from exc

    async def mark_read(self, message_ids: list[str], chat: str, sender: str) -> None:
        """Send read receipts (blue ticks) for ``message_ids``."""
        try:
            await self._source.mark_read(message_ids, chat, sender)
        except (NeonizeError, TimeoutError) as exc:
            raise TransientProviderError(
                f"{self.name}: read receipt not sent ({type(exc).__name__})", provider=self.name
            ) from exc

    async def send_reaction(self, chat: str, sender: str, message_id: str, emoji: str) -> None:
        """React with ``emoji`` to a message."""
        try:
            await self._source.send_reaction(chat, sender, message_id, emoji)
        except (NeonizeError, TimeoutError) as exc:
            raise TransientProviderError(
                f"{self.name}: reaction not sent ({type(exc).__name__})", provider=self.name
            ) from exc

    async def close(self) -> None:
        """Close the media downloader (the source's connection is the source's to stop)."""
        await self._http.aclose()
