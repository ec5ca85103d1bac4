"""``TelegramBotProvider``: a Telegram bot through the Bot API (httpx), with its webhook
updates received through ``webhook_endpoints()`` (or fetched with ``get_updates()``)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from roomkit.core.transcoding import content_to_text
from roomkit.errors import PermanentProviderError
from roomkit.messaging.signing import signatures_match
from roomkit.messaging.ttl import TTLCache
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.content import (
    CompositeContent,
    DeleteContent,
    EditContent,
    MediaContent,
    RichContent,
)
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.telegram.base import TelegramProvider
from roomkit.providers.vendor_http import redactor_for
from roomkit_telegram.api import BotAPIError, call_bot
from roomkit_telegram.config import TelegramConfig
from roomkit_telegram.messages import build_calls, keyboard
from roomkit_telegram.updates import (
    FILE_SCHEME,
    SecretTokenVerifier,
    TelegramUpdateParser,
    parse_telegram_update,
    parse_telegram_webhook,
)

__all__ = ["TelegramBotProvider", "TelegramConfig", "parse_telegram_webhook"]

#: What the bot remembers of a sent message: chat id, message id, the method that sent it.
Sent = tuple[str, int, str]


def _media(content: Any) -> list[MediaContent]:
    if isinstance(content, MediaContent):
        return [content]
    if isinstance(content, CompositeContent):
        return [m for part in content.parts for m in _media(part)]
    return []


class TelegramBotProvider(TelegramProvider):
    """Sends to Telegram chats through a bot (see :mod:`roomkit_telegram.messages` for what
    each content becomes). ``to`` is the chat id; the id of the last message sent is the
    provider message id.

    **Edits and deletes.** The provider remembers (for a day, up to 100,000 events) the
    messages it sent for each room event, so an ``EditContent`` edits that message's text
    (or caption, and keyboard) and a ``DeleteContent`` deletes them; an event may name the
    message itself in ``metadata["telegram_message_id"]``. Editing to the same text and
    deleting a message already gone count as done, so a retried edit or delete never fails
    on its own earlier success.

    **Retries.** An event that needs several calls remembers which went out (per event and
    chat): when the channel retries it, only the missing messages are sent.
    """

    def __init__(self, config: TelegramConfig) -> None:
        self._config = config
        secrets = [config.bot_token.get_secret_value()]
        if config.webhook_secret is not None:
            secrets.append(config.webhook_secret.get_secret_value())
        self._redactor = redactor_for(secrets)
        self._client = httpx.AsyncClient(timeout=config.timeout, follow_redirects=False)
        self._sent: TTLCache[str, list[Sent]] = TTLCache(100_000, 86_400.0)
        self._progress: TTLCache[tuple[str, str, int], Sent] = TTLCache(10_000, 3600.0)
        self._offset: int | None = None

    @property
    def name(self) -> str:
        return "telegram"

    @property
    def config(self) -> TelegramConfig:
        """The configuration this provider was built with."""
        return self._config

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        return await call_bot(
            self.name,
            self._client,
            f"{self._config.base_url}/{method}",
            params,
            timeout=self._config.timeout,
            redactor=self._redactor,
        )

    def _too_large(self, content: Any) -> tuple[str | None, frozenset[str]]:
        """A refusal for media over the file limit, and the URLs of photos over the photo
        limit that still fit as a document."""
        documents = set()
        for media in _media(content):
            size = media.size_bytes
            if size is None:
                continue
            limit = self._config.max_file_bytes
            if size > limit:
                return (
                    f"telegram: {media.mime_type} of {size} bytes is over the {limit}-byte "
                    "limit Telegram fetches by URL (send a link instead)"
                ), frozenset()
            photo = media.mime_type.startswith("image/") and media.mime_type != "image/gif"
            if photo and size > self._config.max_photo_bytes:
                documents.add(media.url)
        return None, frozenset(documents)

    # -- sending -----------------------------------------------------------------------------
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        content = event.content
        try:
            if isinstance(content, EditContent):
                return await self._edit(event, to, content)
            if isinstance(content, DeleteContent):
                return await self._delete(event, to, content)
            return await self._send(event, to)
        except BotAPIError as exc:
            return exc.result

    async def _send(self, event: RoomEvent, to: str) -> ProviderResult:
        problem, documents = self._too_large(event.content)
        if problem:
            return ProviderResult.failed(problem)
        calls = build_calls(event.content, documents=documents)
        if not calls:
            return ProviderResult.failed("telegram: nothing to send (empty message)")
        reply_to = event.metadata.get("telegram_reply_to")
        sent: list[Sent] = []
        for index, (method, params) in enumerate(calls):
            key = (event.id, to, index)
            done = self._progress.get(key)
            if done is None:  # not sent by an earlier attempt of this event
                body = {"chat_id": to, **params}
                if isinstance(reply_to, int) and index == 0:
                    body["reply_parameters"] = {"message_id": reply_to,
                                                "allow_sending_without_reply": True}  # fmt: skip
                try:
                    result = await self._call(method, body)
                except BotAPIError as exc:
                    if index:
                        exc.result.metadata["sent_parts"] = index
                    raise
                message_id = result.get("message_id") if isinstance(result, dict) else None
                if not isinstance(message_id, int):
                    return ProviderResult.failed("telegram: the answer has no message_id")
                done = (to, message_id, method)
                self._progress.put(key, done)
            sent.append(done)
        self._sent.put(event.id, sent)
        return ProviderResult.sent(str(sent[-1][1]), messages=len(sent))

    def _targets(self, event: RoomEvent, to: str, target_event_id: str) -> list[Sent]:
        explicit = event.metadata.get("telegram_message_id")
        if isinstance(explicit, int):
            return [(to, explicit, "sendMessage")]
        return [s for s in self._sent.get(target_event_id) or [] if s[0] == to]

    async def _edit(self, event: RoomEvent, to: str, edit: EditContent) -> ProviderResult:
        targets = self._targets(event, to, edit.target_event_id)
        if not targets:
            return ProviderResult.failed(
                f"telegram: no message of event {edit.target_event_id!r} is known in chat "
                f"{to} (sent before a restart or over a day ago?): give its id in "
                "metadata['telegram_message_id']"
            )
        chat, message_id, method = targets[0]
        new = edit.new_content
        text = content_to_text(new.model_copy(update={"buttons": [], "quick_replies": []})
                               if isinstance(new, RichContent) else new)  # fmt: skip
        params: dict[str, Any] = {"chat_id": chat, "message_id": message_id}
        markup = keyboard(new) if isinstance(new, RichContent) else None
        if markup is not None and "inline_keyboard" in markup:
            params["reply_markup"] = markup
        if method == "sendMessage":
            edit_method = "editMessageText"
            params["text"] = text[:4096] or " "
        elif method in ("sendPhoto", "sendVideo", "sendAudio", "sendDocument", "sendAnimation",
                        "sendVoice"):  # fmt: skip
            edit_method = "editMessageCaption"
            params["caption"] = text[:1024]
        else:
            return ProviderResult.failed(f"telegram: a message sent with {method} has no text")
        try:
            await self._call(edit_method, params)
        except BotAPIError as exc:
            if "message is not modified" not in (exc.result.error or ""):
                raise
        return ProviderResult.sent(str(message_id), edited=True)

    async def _delete(self, event: RoomEvent, to: str, delete: DeleteContent) -> ProviderResult:
        targets = self._targets(event, to, delete.target_event_id)
        if not targets:
            return ProviderResult.failed(
                f"telegram: no message of event {delete.target_event_id!r} is known in chat {to}"
            )
        for chat, message_id, _ in targets:
            try:
                await self._call("deleteMessage", {"chat_id": chat, "message_id": message_id})
            except BotAPIError as exc:
                if "not found" not in (exc.result.error or ""):
                    raise
        return ProviderResult.sent(str(targets[-1][1]), deleted=len(targets))

    # -- other bot actions -------------------------------------------------------------------
    async def send_typing(self, to: str, *, is_typing: bool = True) -> None:
        """Show "typing..." in the chat (Telegram shows it about 5 seconds, and has no way to
        stop it early: ``is_typing=False`` does nothing). Failures are ignored."""
        if is_typing:
            try:
                await self._call("sendChatAction", {"chat_id": to, "action": "typing"})
            except BotAPIError:
                return

    async def react(self, chat: str, message_id: int, emoji: str) -> None:
        """Set the bot's reaction to a message (``""`` removes it); failures raise the typed
        provider error."""
        reaction = [{"type": "emoji", "emoji": emoji}] if emoji else []
        params = {"chat_id": chat, "message_id": message_id, "reaction": reaction}
        await self._checked("setMessageReaction", params)

    async def answer_callback(self, callback_query_id: str, text: str | None = None) -> None:
        """Answer an inline button tap (stops the button's spinner; ``text`` shows a toast)."""
        params: dict[str, Any] = {"callback_query_id": callback_query_id}
        if text:
            params["text"] = text[:200]
        await self._checked("answerCallbackQuery", params)

    async def set_webhook(self, url: str, *, drop_pending_updates: bool = False) -> None:
        """Point the bot's webhook at ``url`` with the ``webhook_secret`` (required: an
        unsigned webhook could not be verified) and ``allowed_updates``."""
        if self._config.webhook_secret is None:
            raise PermanentProviderError(
                "telegram: set webhook_secret before set_webhook (updates are verified by it)",
                provider=self.name,
            )
        params = {
            "url": url,
            "secret_token": self._config.webhook_secret.get_secret_value(),
            "allowed_updates": self._config.allowed_updates,
            "drop_pending_updates": drop_pending_updates,
        }
        await self._checked("setWebhook", params)

    async def get_updates(
        self, channel_id: str, *, wait_seconds: int = 0, limit: int = 100
    ) -> list[InboundMessage]:
        """Fetch pending updates by long polling (for bots without a webhook) and confirm
        them, so each comes once: the inbound messages among them, oldest first."""
        params: dict[str, Any] = {"timeout": wait_seconds, "limit": limit,
                                  "allowed_updates": self._config.allowed_updates}  # fmt: skip
        if self._offset is not None:
            params["offset"] = self._offset
        try:
            async with asyncio.timeout(self._config.timeout + wait_seconds):
                updates = await self._checked("getUpdates", params)
        except TimeoutError:
            updates = []
        messages = []
        for update in updates if isinstance(updates, list) else []:
            if isinstance(update, dict) and isinstance(update.get("update_id"), int):
                self._offset = max(self._offset or 0, update["update_id"] + 1)
                found = parse_telegram_update(update, channel_id)
                if found is not None:
                    messages.append(found)
        return messages

    async def download_file(self, file_id: str) -> bytes:
        """The bytes of an inbound file (a ``telegram-file://`` URL's id), at most
        ``max_file_bytes``."""
        file_id = file_id.removeprefix(FILE_SCHEME)
        info = await self._checked("getFile", {"file_id": file_id})
        path = info.get("file_path") if isinstance(info, dict) else None
        size = info.get("file_size") if isinstance(info, dict) else None
        if not isinstance(path, str):
            raise PermanentProviderError("telegram: the file has no file_path", provider=self.name)
        if isinstance(size, int) and size > self._config.max_file_bytes:
            raise PermanentProviderError(
                f"telegram: the file is {size} bytes, over max_file_bytes", provider=self.name
            )
        try:
            async with asyncio.timeout(self._config.timeout):
                response = await self._client.get(f"{self._config.file_url}/{path}")
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            ProviderResult.failed(
                f"telegram: file download failed ({type(exc).__name__})", retryable=True
            ).raise_for_failure(self.name)
            raise  # unreachable: a failed result always raises
        if response.status_code != 200:
            ProviderResult.from_http_error(
                response.status_code, "telegram: file download refused"
            ).raise_for_failure(self.name)
        if len(response.content) > self._config.max_file_bytes:
            raise PermanentProviderError(
                "telegram: the downloaded file is over max_file_bytes", provider=self.name
            )
        return response.content

    async def _checked(self, method: str, params: dict[str, Any]) -> Any:
        try:
            return await self._call(method, params)
        except BotAPIError as exc:
            exc.result.raise_for_failure(self.name)
            raise  # unreachable: a failed result always raises

    # -- webhooks -------------------------------------------------------------------------------
    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """Whether ``signature`` (the ``X-Telegram-Bot-Api-Secret-Token`` value) is the
        webhook secret (RoomKit 0.6.7's check; ``False`` without ``webhook_secret``).
        ``payload`` is not part of Telegram's scheme."""
        secret = self._config.webhook_secret
        if secret is None or not signature:
            return False
        return signatures_match(secret.get_secret_value(), signature)

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """The webhook route (none without ``webhook_secret``)."""
        if self._config.webhook_secret is None:
            return {}
        verifier = SecretTokenVerifier([self._config.webhook_secret.get_secret_value()])
        return {"": WebhookEndpoint(verifier, TelegramUpdateParser(), name="telegram")}

    async def close(self) -> None:
        await self._client.aclose()
