"""A wire fake of the Messenger Platform Send API and of Messenger's signed webhooks.

REST (what :class:`MessengerWire` answers): ``POST /{api_version}/me/messages`` (or
``/{page_id}/messages``) with the page access token (bearer header or ``access_token``
query) and a JSON body ``{"recipient": {"id": PSID}, "messaging_type": "RESPONSE",
"message": {...}}`` or ``{"recipient", "sender_action": "typing_on" | "typing_off" |
"mark_seen"}``. It answers ``200 {"recipient_id", "message_id": "m_..."}`` and checks what
the Send API documents: text at most 2,000 characters, at most 13 quick replies (titles at
most 20 characters), a button template with 1-3 buttons and text at most 640 characters, a
generic template with at most 10 elements, attachments of type image / video / audio / file
with a ``payload.url``. Errors have the Graph shape: a wrong token ``401`` (code 190), a
malformed message ``400`` (code 100), an unknown user ``400`` (code 100, subcode 2018001)
when :attr:`MessengerWire.known_users` is set.

Webhooks (what Messenger posts to you): :func:`page_webhook` wraps messaging events
(:func:`text_event`, :func:`attachments_event`, :func:`postback_event`,
:func:`delivery_event`, :func:`read_event`) in the ``{"object": "page", "entry": [...]}``
envelope; sign the body with :func:`roomkit_conformance.wire.meta.sign_meta`.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer
from roomkit_conformance.wire.meta import graph_error, graph_token

__all__ = [
    "MessengerWire",
    "attachments_event",
    "delivery_event",
    "page_webhook",
    "postback_event",
    "read_event",
    "text_event",
]

_MESSAGES = re.compile(r"^/(?P<version>v\d+\.\d+)/(?P<node>[^/]+)/messages$")
_ACTIONS = frozenset({"typing_on", "typing_off", "mark_seen"})
_ATTACHMENTS = frozenset({"image", "video", "audio", "file"})


def _ms() -> int:
    return int(time.time() * 1000)


class MessengerWire(WireServer):
    """The Send API of one page (see the module docstring).

    ``known_users``: the PSIDs the page may message (``None``: anyone).
    """

    def __init__(
        self,
        page_access_token: str,
        *,
        page_id: str = "1000000001",
        known_users: set[str] | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.page_id = page_id
        self.known_users = known_users
        self._token = page_access_token

    def handle(self, request: RecordedRequest) -> WireResponse:
        found = _MESSAGES.match(request.path)
        if found is None or request.method != "POST":
            return graph_error(404, "Unknown path components", code=2500)
        if graph_token(request) != self._token:
            return graph_error(401, "Invalid OAuth access token", code=190)
        if found["node"] not in ("me", self.page_id):
            return graph_error(400, "(#100) Unknown page", code=100)
        try:
            body = request.json()
        except ValueError:
            return graph_error(400, "(#100) The request body is not JSON", code=100)
        problem = _check(body)
        if problem:
            return graph_error(400, f"(#100) {problem}", code=100, kind="OAuthException")
        recipient = str(body["recipient"]["id"])
        if self.known_users is not None and recipient not in self.known_users:
            return graph_error(400, "(#100) No matching user found", code=100, subcode=2018001)
        if "sender_action" in body:
            return WireResponse.json({"recipient_id": recipient})
        return WireResponse.json(
            {"recipient_id": recipient, "message_id": "m_" + secrets.token_urlsafe(24)}
        )


def _check(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not recipient.get("id"):
        return "param recipient[id] is required"
    if "sender_action" in body:
        if body["sender_action"] not in _ACTIONS:
            return "param sender_action must be one of typing_on, typing_off, mark_seen"
        return None
    message = body.get("message")
    if not isinstance(message, dict):
        return "param message must be an object"
    if body.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG", "UTILITY"):
        return "param messaging_type must be RESPONSE, UPDATE, MESSAGE_TAG or UTILITY"
    if body["messaging_type"] == "MESSAGE_TAG" and not body.get("tag"):
        return "param tag is required with messaging_type MESSAGE_TAG"
    replies = message.get("quick_replies", [])
    if len(replies) > 13:
        return "param message[quick_replies] has more than 13 items"
    for reply in replies:
        if reply.get("content_type") == "text" and not 0 < len(reply.get("title", "")) <= 20:
            return "param message[quick_replies][title] must be 1-20 characters"
    if "text" in message:
        text = message["text"]
        if not isinstance(text, str) or not text:
            return "param message[text] must be a non-empty UTF-8 encoded string"
        if len(text) > 2000:
            return "param message[text] must be UTF-8 encoded and 2000 characters or fewer"
        return None
    attachment = message.get("attachment")
    if not isinstance(attachment, dict):
        return "param message must have text or attachment"
    return _check_attachment(attachment)


def _check_attachment(attachment: dict[str, Any]) -> str | None:
    kind = attachment.get("type")
    payload = attachment.get("payload")
    if not isinstance(payload, dict):
        return "param message[attachment][payload] is required"
    if kind in _ATTACHMENTS:
        if not str(payload.get("url", "")).startswith(("http://", "https://")):
            return "param message[attachment][payload][url] must be a valid URL"
        return None
    if kind != "template":
        return f"param message[attachment][type] {kind!r} is not supported"
    template = payload.get("template_type")
    if template == "button":
        buttons = payload.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return "param payload[buttons] must have 1-3 buttons"
        if not 0 < len(payload.get("text", "")) <= 640:
            return "param payload[text] must be 1-640 characters"
        return _check_buttons(buttons)
    if template == "generic":
        elements = payload.get("elements") or []
        if not 1 <= len(elements) <= 10:
            return "param payload[elements] must have 1-10 elements"
        for element in elements:
            if not element.get("title"):
                return "param payload[elements][title] is required"
            problem = _check_buttons(element.get("buttons") or [])
            if problem:
                return problem
        return None
    if template == "utility":
        if not payload.get("name") or not payload.get("language"):
            return "param payload[name] and payload[language] are required"
        return None
    return f"param payload[template_type] {template!r} is not supported"


def _check_buttons(buttons: list[dict[str, Any]]) -> str | None:
    for button in buttons:
        if not 0 < len(button.get("title", "")) <= 20:
            return "param buttons[title] must be 1-20 characters"
        if button.get("type") == "web_url" and not button.get("url"):
            return "param buttons[url] is required for web_url buttons"
        if button.get("type") == "postback" and not button.get("payload"):
            return "param buttons[payload] is required for postback buttons"
    return None


def page_webhook(page_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``{"object": "page", "entry": [...]}`` envelope of messaging ``events``."""
    return {"object": "page", "entry": [{"id": page_id, "time": _ms(), "messaging": events}]}


def _event(sender: str, page_id: str, **fields: Any) -> dict[str, Any]:
    return {"sender": {"id": sender}, "recipient": {"id": page_id}, "timestamp": _ms(), **fields}


def text_event(
    *, sender: str, page_id: str, mid: str, text: str, quick_reply: str | None = None
) -> dict[str, Any]:
    """A text message from ``sender`` (a quick reply tap carries its ``payload``)."""
    message: dict[str, Any] = {"mid": mid, "text": text}
    if quick_reply is not None:
        message["quick_reply"] = {"payload": quick_reply}
    return _event(sender, page_id, message=message)


def attachments_event(
    *, sender: str, page_id: str, mid: str, urls: list[tuple[str, str]], text: str = ""
) -> dict[str, Any]:
    """A message with attachments: ``urls`` are ``(type, url)`` (``image``, ``file`` ...)."""
    message: dict[str, Any] = {
        "mid": mid,
        "attachments": [{"type": kind, "payload": {"url": url}} for kind, url in urls],
    }
    if text:
        message["text"] = text
    return _event(sender, page_id, message=message)


def postback_event(
    *, sender: str, page_id: str, title: str, payload: str, mid: str | None = None
) -> dict[str, Any]:
    """A button tap (``postback``)."""
    postback: dict[str, Any] = {"title": title, "payload": payload}
    if mid:
        postback["mid"] = mid
    return _event(sender, page_id, postback=postback)


def delivery_event(*, sender: str, page_id: str, mids: list[str]) -> dict[str, Any]:
    """Messenger's delivery confirmation of messages the page sent to ``sender``."""
    return _event(sender, page_id, delivery={"mids": mids, "watermark": _ms()})


def read_event(*, sender: str, page_id: str, watermark: int | None = None) -> dict[str, Any]:
    """``sender`` read every message sent before ``watermark`` (ms)."""
    return _event(sender, page_id, read={"watermark": watermark or _ms()})
