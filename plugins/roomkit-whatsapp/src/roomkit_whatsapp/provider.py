"""``WhatsAppCloudProvider``: WhatsApp through Meta's Cloud API (httpx), with its signed
webhooks (messages and delivery statuses) received through ``webhook_endpoints()``."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from roomkit.errors import InvalidContentError, WebhookPayloadError
from roomkit.messaging.ttl import TTLCache
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.content import CompositeContent, MediaContent
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.vendor_http import failure_from_exception, redactor_for
from roomkit.providers.whatsapp.base import WhatsAppProvider
from roomkit_whatsapp.config import WhatsAppCloudConfig
from roomkit_whatsapp.graph import graph_failure, post_graph
from roomkit_whatsapp.messages import build_messages, media_kind, template_body
from roomkit_whatsapp.webhooks import (
    WhatsAppSignatureVerifier,
    WhatsAppWebhookParser,
    parse_whatsapp_events,
)

__all__ = ["WhatsAppCloudConfig", "WhatsAppCloudProvider"]


def _media(content: Any) -> list[MediaContent]:
    if isinstance(content, MediaContent):
        return [content]
    if isinstance(content, CompositeContent):
        return [m for part in content.parts for m in _media(part)]
    return []


class WhatsAppCloudProvider(WhatsAppProvider):
    """Sends WhatsApp messages from a business number through
    ``POST /{api_version}/{phone_number_id}/messages`` (see :mod:`roomkit_whatsapp.messages`
    for what each content becomes). ``to`` is an E.164 number; the ``wamid`` of the last
    message sent is the provider message id, which the status webhooks name.

    An event that needs several calls (composite content, an audio's caption) remembers
    which of them went out (for an hour, per event and recipient): when the channel retries
    it, only the missing messages are sent again.
    """

    def __init__(self, config: WhatsAppCloudConfig) -> None:
        self._config = config
        token = config.access_token.get_secret_value()
        self._redactor = redactor_for(
            [token] + [s.get_secret_value() for s in (config.app_secret, config.verify_token) if s]
        )
        self._client = httpx.AsyncClient(
            timeout=config.timeout,
            headers={"Authorization": f"Bearer {token}"},
            follow_redirects=False,
        )
        self._progress: TTLCache[tuple[str, str, int], str] = TTLCache(10_000, 3600.0)

    @property
    def name(self) -> str:
        return "whatsapp"

    @property
    def config(self) -> WhatsAppCloudConfig:
        """The configuration this provider was built with."""
        return self._config

    def _limit(self, mime_type: str) -> int:
        kind = media_kind(mime_type)
        if kind == "image":
            return self._config.max_image_bytes
        if kind == "document":
            return self._config.max_document_bytes
        return self._config.max_media_bytes

    def _too_large(self, content: Any) -> tuple[str | None, frozenset[str]]:
        """A refusal for media over the document limit, and the URLs of media over their own
        type's limit that still fit as a document."""
        documents = set()
        for media in _media(content):
            size = media.size_bytes
            if size is None or size <= self._limit(media.mime_type):
                continue
            limit = self._config.max_document_bytes
            if size > limit:
                return (
                    f"whatsapp: {media.mime_type} of {size} bytes is over the {limit}-byte "
                    "document limit (send a link as text instead)"
                ), frozenset()
            documents.add(media.url)
        return None, frozenset(documents)

    async def _post(self, body: dict[str, Any]) -> httpx.Response | ProviderResult:
        return await post_graph(
            self.name,
            self._client,
            self._config.messages_url,
            body,
            timeout=self._config.timeout,
            redactor=self._redactor,
        )

    @staticmethod
    def _wamid(response: httpx.Response) -> str | None:
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            return None

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        problem, documents = self._too_large(event.content)
        if problem:
            return ProviderResult.failed(problem)
        try:
            messages = build_messages(
                event.content, default_language=self._config.default_language, documents=documents
            )
        except InvalidContentError as exc:
            return ProviderResult.failed(f"whatsapp: {exc}")
        if not messages:
            return ProviderResult.failed("whatsapp: nothing to send (empty message)")
        digits = to.lstrip("+")
        reply_to = event.metadata.get("whatsapp_reply_to")
        last: str | None = None
        for index, message in enumerate(messages):
            key = (event.id, digits, index)
            done = self._progress.get(key)
            if done is not None:  # sent by an earlier attempt of this event
                last = done
                continue
            body = {"messaging_product": "whatsapp", "recipient_type": "individual",
                    "to": digits, **message}  # fmt: skip
            if isinstance(reply_to, str) and reply_to:
                body["context"] = {"message_id": reply_to}
            outcome = await self._post(body)
            if isinstance(outcome, ProviderResult):
                if index:
                    outcome.metadata["sent_parts"] = index
                return outcome
            last = self._wamid(outcome)
            if last is None:
                return ProviderResult.failed("whatsapp: the Cloud API answer has no message id")
            self._progress.put(key, last)
        return ProviderResult.sent(last, messages=len(messages))

    async def send_template(
        self, to: str, template_name: str, params: dict[str, Any] | None = None
    ) -> ProviderResult:
        """Send the approved template ``template_name``: ``params`` holds the body
        parameters (``{"1": "Ada", "2": "42"}`` or named ones) and optionally ``"language"``
        (else ``default_language``)."""
        values = dict(params or {})
        language = str(values.pop("language", None) or self._config.default_language)
        body = {
            "messaging_product": "whatsapp",
            "to": to.lstrip("+"),
            "type": "template",
            "template": template_body(
                template_name, language, {k: str(v) for k, v in values.items()}
            ),
        }
        outcome = await self._post(body)
        if isinstance(outcome, ProviderResult):
            return outcome
        wamid = self._wamid(outcome)
        if wamid is None:
            return ProviderResult.failed("whatsapp: the Cloud API answer has no message id")
        return ProviderResult.sent(wamid)

    async def send_reaction(self, chat: str, sender: str, message_id: str, emoji: str) -> None:
        """React with ``emoji`` (``""`` removes the reaction) to ``message_id`` in the chat
        with ``chat``; a failure raises the channel's typed provider error."""
        body = {
            "messaging_product": "whatsapp",
            "to": chat.lstrip("+"),
            "type": "reaction",
            "reaction": {"message_id": message_id, "emoji": emoji},
        }
        outcome = await self._post(body)
        if isinstance(outcome, ProviderResult):
            outcome.raise_for_failure(self.name)

    async def mark_read(self, message_id: str) -> None:
        """Send the read receipt (blue ticks) of an inbound message; failures raise."""
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        outcome = await self._post(body)
        if isinstance(outcome, ProviderResult):
            outcome.raise_for_failure(self.name)

    async def media_url(self, media_id: str) -> str:
        """The short-lived download URL of an inbound media id (``GET /{media_id}``); the
        download itself needs the access token as a bearer header."""
        url = f"{self._config.base_url}/{media_id}"
        try:
            async with asyncio.timeout(self._config.timeout):
                response = await self._client.get(url)
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            failure_from_exception(
                self.name, exc, timeout=self._config.timeout, redactor=self._redactor
            ).raise_for_failure(self.name)
            raise  # unreachable: a failed result always raises
        if response.status_code != 200:
            graph_failure(self.name, response, self._redactor).raise_for_failure(self.name)
        found = response.json().get("url")
        if not isinstance(found, str):
            raise WebhookPayloadError(f"whatsapp: media {media_id} has no url")
        return found

    async def parse_webhook(self, payload: dict[str, Any]) -> InboundMessage:
        """RoomKit 0.6.7's entry point: the first inbound message of a (verified) webhook
        body; :class:`~roomkit.errors.WebhookPayloadError` when it carries none."""
        for item in parse_whatsapp_events(payload, "whatsapp", media_base=self._config.base_url):
            if isinstance(item, InboundMessage):
                return item
        raise WebhookPayloadError("this WhatsApp webhook carries no inbound message")

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """The webhook route (none without ``app_secret``): signature check, handshake with
        ``verify_token``, messages and statuses."""
        if self._config.app_secret is None:
            return {}
        verify = self._config.verify_token
        parser = WhatsAppWebhookParser(
            verify.get_secret_value() if verify else None, media_base=self._config.base_url
        )
        verifier = WhatsAppSignatureVerifier([self._config.app_secret.get_secret_value()])
        return {"": WebhookEndpoint(verifier, parser, name="whatsapp")}

    async def close(self) -> None:
        await self._client.aclose()
