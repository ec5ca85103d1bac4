"""``FacebookMessengerProvider``: Messenger through the Graph API Send API (httpx), with its
signed webhooks received through ``webhook_endpoints()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from roomkit.errors import InvalidContentError
from roomkit.messaging.signing import signatures_match
from roomkit.messaging.ttl import TTLCache
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.content import CompositeContent, MediaContent
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.messenger.base import MessengerProvider
from roomkit.providers.vendor_http import redactor_for
from roomkit_messenger.config import MessengerConfig
from roomkit_messenger.graph import post_graph
from roomkit_messenger.messages import build_messages
from roomkit_messenger.webhooks import (
    MessengerWebhookParser,
    MetaSignatureVerifier,
    meta_signature,
    parse_messenger_webhook,
)

__all__ = ["FacebookMessengerProvider", "MessengerConfig", "parse_messenger_webhook"]


def _media_sizes(content: Any) -> list[int]:
    if isinstance(content, MediaContent) and content.size_bytes is not None:
        return [content.size_bytes]
    if isinstance(content, CompositeContent):
        return [s for part in content.parts for s in _media_sizes(part)]
    return []


class FacebookMessengerProvider(MessengerProvider):
    """Sends Messenger messages to page-scoped user ids (PSIDs) through
    ``POST /{api_version}/me/messages`` (see :mod:`roomkit_messenger.messages` for what each
    content becomes). The id of the last message sent is the provider message id, which
    Messenger's delivery webhooks name.

    An event that needs several calls (media with a caption, composite content) remembers
    which of them went out (for an hour, per event and recipient): when a later call fails
    and the channel retries the event, only the missing messages are sent again, never the
    ones the user already has.
    """

    def __init__(self, config: MessengerConfig) -> None:
        self._config = config
        token = config.page_access_token.get_secret_value()
        secrets = [token]
        for extra in (config.app_secret, config.verify_token):
            if extra is not None:
                secrets.append(extra.get_secret_value())
        self._redactor = redactor_for(secrets)
        self._client = httpx.AsyncClient(
            timeout=config.timeout,
            headers={"Authorization": f"Bearer {token}"},
            follow_redirects=False,
        )
        self._progress: TTLCache[tuple[str, str, int], str] = TTLCache(10_000, 3600.0)

    @property
    def name(self) -> str:
        return "messenger"

    @property
    def config(self) -> MessengerConfig:
        """The configuration this provider was built with."""
        return self._config

    def _envelope(self, event: RoomEvent, to: str, message: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"recipient": {"id": to}, "message": message}
        tag = event.metadata.get("messenger_tag")
        payload = message.get("attachment", {}).get("payload", {})
        if payload.get("template_type") == "utility":
            body["messaging_type"] = "UTILITY"
        elif isinstance(tag, str) and tag:
            body.update(messaging_type="MESSAGE_TAG", tag=tag)
        else:
            body["messaging_type"] = self._config.messaging_type
        return body

    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        too_big = [s for s in _media_sizes(event.content) if s > self._config.max_media_bytes]
        if too_big:
            return ProviderResult.failed(
                f"messenger: media of {max(too_big)} bytes is over the "
                f"{self._config.max_media_bytes}-byte attachment limit (send a link instead)"
            )
        try:
            messages = build_messages(event.content)
        except InvalidContentError as exc:
            return ProviderResult.failed(f"messenger: {exc}")
        if not messages:
            return ProviderResult.failed("messenger: nothing to send (empty message)")
        last_id: str | None = None
        for index, message in enumerate(messages):
            key = (event.id, to, index)
            done = self._progress.get(key)
            if done is not None:  # sent by an earlier attempt of this event
                last_id = done
                continue
            outcome = await post_graph(
                self.name,
                self._client,
                self._config.messages_url,
                self._envelope(event, to, message),
                timeout=self._config.timeout,
                redactor=self._redactor,
            )
            if isinstance(outcome, ProviderResult):
                if index:
                    outcome.metadata["sent_parts"] = index
                return outcome
            try:
                last_id = str(outcome.json()["message_id"])
            except (ValueError, KeyError, TypeError):
                return ProviderResult.failed("messenger: the Send API answer has no message_id")
            self._progress.put(key, last_id)
        return ProviderResult.sent(last_id, messages=len(messages))

    async def send_typing(self, to: str, *, is_typing: bool = True) -> None:
        """Show (or hide) the typing indicator to ``to`` (``sender_action``); failures are
        ignored, a typing indicator is never worth an error."""
        action = "typing_on" if is_typing else "typing_off"
        await self._action(to, action)

    async def mark_seen(self, to: str) -> None:
        """Mark the conversation with ``to`` as seen."""
        await self._action(to, "mark_seen")

    async def _action(self, to: str, action: str) -> None:
        await post_graph(
            self.name,
            self._client,
            self._config.messages_url,
            {"recipient": {"id": to}, "sender_action": action},
            timeout=self._config.timeout,
            redactor=self._redactor,
        )

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """Whether ``signature`` (the ``X-Hub-Signature-256`` value) signs ``payload`` with
        the app secret (RoomKit 0.6.7's check; ``False`` without ``app_secret``)."""
        if self._config.app_secret is None or not signature:
            return False
        expected = meta_signature(payload, self._config.app_secret.get_secret_value())
        return signatures_match(expected, signature.strip())

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """The webhook route (none without ``app_secret``): signature check, handshake with
        ``verify_token``, messages and delivery statuses."""
        if self._config.app_secret is None:
            return {}
        verify = self._config.verify_token
        parser = MessengerWebhookParser(verify.get_secret_value() if verify else None)
        verifier = MetaSignatureVerifier([self._config.app_secret.get_secret_value()])
        return {"": WebhookEndpoint(verifier, parser, name="messenger")}

    async def close(self) -> None:
        await self._client.aclose()
