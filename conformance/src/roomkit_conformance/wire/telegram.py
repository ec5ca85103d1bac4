"""A wire fake of the Telegram Bot API (``/bot<token>/<method>``) and of its webhook updates.

The npm ``telegram-test-api`` emulator covers ``sendMessage`` (with inline keyboards),
``editMessageText``, ``deleteMessage``, ``getUpdates`` and user-side messages and callback
queries; :class:`TelegramWire` speaks the rest of what a bot provider calls, as the Bot API
documents it: ``sendPhoto`` / ``sendVideo`` / ``sendAudio`` / ``sendVoice`` /
``sendDocument`` (by URL, caption at most 1,024 characters), ``sendLocation``,
``sendVenue``, ``sendChatAction``, ``setMessageReaction``, ``editMessageText`` (returns the
edited message; ``message is not modified`` / ``message to edit not found``),
``deleteMessage``, ``getFile`` and file downloads, ``setWebhook`` (with ``secret_token``)
and ``getMe``.

Every answer is ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
"description", "parameters"?}``: a wrong token ``401 Unauthorized``; a chat outside
:attr:`TelegramWire.known_chats` ``400 Bad Request: chat not found``; a chat in
:attr:`TelegramWire.blocked_chats` ``403 Forbidden: bot was blocked by the user``; text over
4,096 characters ``400 Bad Request: message is too long``; flood control (scripted with
:meth:`TelegramWire.flood`) ``429`` with ``parameters.retry_after`` and no header, as
Telegram sends it.

Updates (what Telegram posts to a webhook): :func:`message_update`, :func:`photo_update`,
:func:`callback_update`; the webhook carries the ``secret_token`` given to ``setWebhook`` in
:data:`SECRET_HEADER`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer

__all__ = [
    "SECRET_HEADER",
    "TelegramWire",
    "callback_update",
    "message_update",
    "photo_update",
    "telegram_error",
]

#: The (lower-case) header carrying a webhook's secret token.
SECRET_HEADER = "x-telegram-bot-api-secret-token"

_METHOD = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")
_FILE = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_MEDIA_METHODS = {
    "sendPhoto": "photo",
    "sendVideo": "video",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendDocument": "document",
    "sendAnimation": "animation",
}
_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location"}
)  # fmt: skip


def telegram_error(
    status: int, description: str, *, retry_after: int | None = None
) -> WireResponse:
    """A Bot API error answer (``retry_after`` goes in ``parameters``, as Telegram sends it)."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return WireResponse.json(body, status=status)


def _ok(result: Any) -> WireResponse:
    return WireResponse.json({"ok": True, "result": result})


class TelegramWire(WireServer):
    """The Bot API of one bot (see the module docstring).

    ``known_chats``: chat ids the bot may write to (``None``: any); ``blocked_chats``: chats
    whose user blocked the bot. ``files``: ``file_id -> bytes`` served by ``getFile``.
    """

    def __init__(
        self,
        bot_token: str,
        *,
        known_chats: set[str] | None = None,
        blocked_chats: set[str] | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.known_chats = known_chats
        self.blocked_chats = blocked_chats or set()
        self.files: dict[str, bytes] = {}
        self.webhook: dict[str, Any] | None = None
        self._token = bot_token
        self._state = threading.Lock()
        self._next_id = 1
        self._messages: dict[tuple[str, int], dict[str, Any]] = {}
        self._floods: list[int] = []

    def flood(self, retry_after: int, *, times: int = 1) -> None:
        """Answer the next ``times`` calls with flood control (429, ``retry_after`` in the
        body, no ``Retry-After`` header)."""
        with self._state:
            self._floods.extend([retry_after] * times)

    def reset(self) -> None:
        super().reset()
        with self._state:
            self._floods.clear()
            self._messages.clear()

    def messages(self) -> list[dict[str, Any]]:
        """The messages the bot sent that still exist, oldest first (edits applied)."""
        with self._state:
            return [dict(m) for m in self._messages.values()]

    def handle(self, request: RecordedRequest) -> WireResponse:
        found = _FILE.match(request.path)
        if found is not None:
            if found["token"] != self._token:
                return telegram_error(401, "Unauthorized")
            data = self.files.get(found["path"].rpartition("/")[2])
            if data is None:
                return telegram_error(404, "Not Found")
            return WireResponse(200, data, content_type="application/octet-stream")
        found = _METHOD.match(request.path)
        if found is None:
            return telegram_error(404, "Not Found")
        if found["token"] != self._token:
            return telegram_error(401, "Unauthorized")
        with self._state:
            flood = self._floods.pop(0) if self._floods else None
        if flood is not None:
            return telegram_error(429, f"Too Many Requests: retry after {flood}", retry_after=flood)
        params = _params(request)
        if params is None:
            return telegram_error(400, "Bad Request: can't parse JSON")
        return self._call(found["method"], params)

    def _check_chat(self, params: dict[str, Any]) -> WireResponse | None:
        chat = str(params.get("chat_id", ""))
        if not chat:
            return telegram_error(400, "Bad Request: chat_id is empty")
        if chat in self.blocked_chats:
            return telegram_error(403, "Forbidden: bot was blocked by the user")
        if self.known_chats is not None and chat not in self.known_chats:
            return telegram_error(400, "Bad Request: chat not found")
        return None

    def _store(self, chat: str, fields: dict[str, Any]) -> dict[str, Any]:
        with self._state:
            message_id = self._next_id
            self._next_id += 1
            message = {
                "message_id": message_id,
                "from": {"id": 666, "is_bot": True, "first_name": "RoomKit", "username": "rk_bot"},
                "chat": {"id": int(chat) if chat.lstrip("-").isdigit() else chat,
                         "type": "private"},
                "date": int(time.time()),
                **fields,
            }  # fmt: skip
            self._messages[(chat, message_id)] = message
        return message

    def _call(self, method: str, params: dict[str, Any]) -> WireResponse:
        if method == "getMe":
            return _ok({"id": 666, "is_bot": True, "first_name": "RoomKit", "username": "rk_bot"})
        if method == "setWebhook":
            if not params.get("url"):
                return telegram_error(400, "Bad Request: bad webhook: URL is empty")
            self.webhook = params
            return _ok(True)
        if method == "deleteWebhook":
            self.webhook = None
            return _ok(True)
        if method == "getFile":
            file_id = str(params.get("file_id", ""))
            if file_id not in self.files:
                return telegram_error(400, "Bad Request: invalid file_id")
            size = len(self.files[file_id])
            return _ok({"file_id": file_id, "file_unique_id": file_id[:8], "file_size": size,
                        "file_path": f"documents/{file_id}"})  # fmt: skip
        problem = self._check_chat(params)
        if problem is not None:
            return problem
        chat = str(params["chat_id"])
        markup = params.get("reply_markup")
        extra = {"reply_markup": markup} if isinstance(markup, dict) else {}
        if method == "sendMessage":
            text = params.get("text")
            if not isinstance(text, str) or not text.strip():
                return telegram_error(400, "Bad Request: message text is empty")
            if len(text) > 4096:
                return telegram_error(400, "Bad Request: message is too long")
            return _ok(self._store(chat, {"text": text, **extra}))
        if method in _MEDIA_METHODS:
            field = _MEDIA_METHODS[method]
            url = params.get(field)
            if not isinstance(url, str) or not url:
                return telegram_error(400, f"Bad Request: there is no {field} in the request")
            caption = params.get("caption")
            if isinstance(caption, str) and len(caption) > 1024:
                return telegram_error(400, "Bad Request: message caption is too long")
            fields: dict[str, Any] = {field: {"file_id": url, "url": url}, **extra}
            if caption:
                fields["caption"] = caption
            return _ok(self._store(chat, fields))
        if method in ("sendLocation", "sendVenue"):
            try:
                location = {"latitude": float(params["latitude"]),
                            "longitude": float(params["longitude"])}  # fmt: skip
            except (KeyError, TypeError, ValueError):
                return telegram_error(400, "Bad Request: wrong latitude or longitude")
            fields = {"location": location}
            if method == "sendVenue":
                if not params.get("title") or not params.get("address"):
                    return telegram_error(400, "Bad Request: venue title and address required")
                fields["venue"] = {"location": location, "title": params["title"],
                                   "address": params["address"]}  # fmt: skip
            return _ok(self._store(chat, fields))
        if method == "sendChatAction":
            if params.get("action") not in _ACTIONS:
                return telegram_error(400, "Bad Request: wrong parameter action in request")
            return _ok(True)
        return self._edit(method, chat, params, extra)

    def _edit(
        self, method: str, chat: str, params: dict[str, Any], extra: dict[str, Any]
    ) -> WireResponse:
        try:
            key = (chat, int(params.get("message_id", "")))
        except (TypeError, ValueError):
            return telegram_error(400, "Bad Request: message_id is invalid")
        with self._state:
            message = self._messages.get(key)
            if method == "editMessageText":
                if message is None:
                    return telegram_error(400, "Bad Request: message to edit not found")
                text = params.get("text")
                if not isinstance(text, str) or not text:
                    return telegram_error(400, "Bad Request: message text is empty")
                if message.get("text") == text and not extra:
                    return telegram_error(
                        400, "Bad Request: message is not modified: specified new message "
                        "content and reply markup are exactly the same"
                    )  # fmt: skip
                message.update(text=text, edit_date=int(time.time()), **extra)
                if not extra:
                    message.pop("reply_markup", None)
                return _ok(dict(message))
            if method == "deleteMessage":
                if message is None:
                    return telegram_error(400, "Bad Request: message to delete not found")
                del self._messages[key]
                return _ok(True)
            if method == "setMessageReaction":
                if message is None:
                    return telegram_error(400, "Bad Request: message to react not found")
                message["reaction"] = params.get("reaction") or []
                return _ok(True)
        return telegram_error(404, "Not Found: method not found")


def _params(request: RecordedRequest) -> dict[str, Any] | None:
    """The call's parameters: a JSON body, a form body or the query (values as given)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind == "application/json":
        try:
            data = request.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    params: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
    if kind == "application/x-www-form-urlencoded":
        params.update(request.form())
    if isinstance(params.get("reply_markup"), str):
        try:
            params["reply_markup"] = json.loads(params["reply_markup"])
        except ValueError:
            return None
    return params


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Ada", "language_code": "en"}


def message_update(
    *, update_id: int, chat_id: int, message_id: int | str, text: str
) -> dict[str, Any]:
    """An update carrying a text message a user wrote in a private chat."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "from": _user(chat_id),
            "chat": {"id": chat_id, "type": "private", "first_name": "Ada"},
            "date": int(time.time()),
            "text": text,
        },
    }


def photo_update(
    *, update_id: int, chat_id: int, message_id: int | str, file_id: str, caption: str = ""
) -> dict[str, Any]:
    """An update carrying a photo (two sizes, as Telegram sends them)."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": _user(chat_id),
        "chat": {"id": chat_id, "type": "private", "first_name": "Ada"},
        "date": int(time.time()),
        "photo": [
            {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": file_id, "file_unique_id": "l", "width": 800, "height": 800},
        ],
    }
    if caption:
        message["caption"] = caption
    return {"update_id": update_id, "message": message}


def callback_update(
    *, update_id: int, chat_id: int, data: str, message_id: int = 1, query_id: str = "cbq-1"
) -> dict[str, Any]:
    """An update carrying a tap on an inline keyboard button of the bot's message."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": query_id,
            "from": _user(chat_id),
            "chat_instance": "-1234",
            "data": data,
            "message": {
                "message_id": message_id,
                "from": {"id": 666, "is_bot": True, "first_name": "RoomKit"},
                "chat": {"id": chat_id, "type": "private"},
                "date": int(time.time()),
                "text": "Pick one",
            },
        },
    }
