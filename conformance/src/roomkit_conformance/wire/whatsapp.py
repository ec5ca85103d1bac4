"""A wire fake of the WhatsApp Cloud API (Graph ``/{phone_number_id}/messages``) and of its
signed webhooks.

REST (what :class:`WhatsAppCloudWire` answers): ``POST /{api_version}/{phone_number_id}/
messages`` with ``Authorization: Bearer <access token>`` and a JSON body
``{"messaging_product": "whatsapp", "to": "<digits>", "type": ..., <type>: {...}}``. It
answers ``200 {"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}],
"messages": [{"id": "wamid..."}]}`` and checks what the Cloud API documents: text at most
4,096 characters, captions at most 1,024, media by ``link``, a location's coordinates, reply
buttons (1-3, titles at most 20 characters, unique ids), lists (at most 10 rows, titles at
most 24), a CTA URL button, templates (``name`` and ``language.code``), reactions, and
``{"status": "read", "message_id"}`` read receipts (``{"success": true}``). Errors have the
Graph shape: a wrong token ``401`` (code 190), a malformed body ``400`` (code 100), a
recipient outside :attr:`WhatsAppCloudWire.allowed_numbers` ``400`` (code 131030).

Webhooks (what Meta posts): :func:`waba_webhook` wraps a ``value`` built by
:func:`messages_value` (inbound messages, from :func:`text_message`, :func:`media_message`,
:func:`location_message`, :func:`button_reply`) or :func:`statuses_value` (delivery
statuses) in ``{"object": "whatsapp_business_account", "entry": [{"changes": [...]}]}``;
sign the body with :func:`roomkit_conformance.wire.meta.sign_meta`.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer
from roomkit_conformance.wire.meta import graph_error, graph_token

__all__ = [
    "WhatsAppCloudWire",
    "button_reply",
    "location_message",
    "media_message",
    "messages_value",
    "status_entry",
    "statuses_value",
    "text_message",
    "waba_webhook",
]

_MESSAGES = re.compile(r"^/(?P<version>v\d+\.\d+)/(?P<node>[^/]+)/messages$")
_MEDIA = frozenset({"image", "video", "audio", "document", "sticker"})
_CAPTIONED = frozenset({"image", "video", "document"})


def _wamid() -> str:
    return "wamid.HBgL" + secrets.token_urlsafe(27)


class WhatsAppCloudWire(WireServer):
    """The Cloud API of one business phone number (see the module docstring).

    ``allowed_numbers``: recipients (digits, no ``+``) the number may message (``None``:
    anyone), like the allowed list of a test number.
    """

    def __init__(
        self,
        access_token: str,
        *,
        phone_number_id: str = "106540352242922",
        allowed_numbers: set[str] | None = None,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.phone_number_id = phone_number_id
        self.allowed_numbers = allowed_numbers
        self._token = access_token

    def handle(self, request: RecordedRequest) -> WireResponse:
        found = _MESSAGES.match(request.path)
        if found is None or request.method != "POST":
            return graph_error(404, "Unknown path components", code=2500)
        if graph_token(request) != self._token:
            return graph_error(401, "Error validating access token", code=190)
        if found["node"] != self.phone_number_id:
            return graph_error(
                400, "Unsupported post request: unknown phone number id", code=100, subcode=33
            )
        try:
            body = request.json()
        except ValueError:
            return graph_error(400, "(#100) The request body is not JSON", code=100)
        problem = _check(body)
        if problem:
            return graph_error(400, f"(#100) {problem}", code=100)
        if body.get("status") == "read":
            return WireResponse.json({"success": True})
        to = str(body["to"]).lstrip("+")
        if self.allowed_numbers is not None and to not in self.allowed_numbers:
            return graph_error(
                400, "(#131030) Recipient phone number not in allowed list", code=131030
            )
        return WireResponse.json(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": to}],
                "messages": [{"id": _wamid()}],
            }
        )


def _check(body: Any) -> str | None:
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return "param messaging_product must be 'whatsapp'"
    if body.get("status") == "read":
        return None if body.get("message_id") else "param message_id is required"
    to = str(body.get("to", "")).lstrip("+")
    if not to.isdigit():
        return "param to must be a phone number"
    kind = body.get("type", "text")
    part = body.get(kind)
    if not isinstance(part, dict):
        return f"param {kind} must be an object"
    if kind == "text":
        text = part.get("body")
        if not isinstance(text, str) or not 0 < len(text) <= 4096:
            return "param text.body must be 1-4096 characters"
        return None
    if kind in _MEDIA:
        if not str(part.get("link", "")).startswith(("http://", "https://")) and not part.get("id"):
            return f"param {kind}.link or {kind}.id is required"
        if "caption" in part and (kind not in _CAPTIONED or len(part["caption"]) > 1024):
            return f"param {kind}.caption is not allowed or over 1024 characters"
        return None
    if kind == "location":
        if not isinstance(part.get("latitude"), int | float) or not isinstance(
            part.get("longitude"), int | float
        ):
            return "param location.latitude and location.longitude are required"
        return None
    if kind == "interactive":
        return _check_interactive(part)
    if kind == "template":
        language = part.get("language")
        if not part.get("name") or not isinstance(language, dict) or not language.get("code"):
            return "param template.name and template.language.code are required"
        return None
    if kind == "reaction":
        return None if part.get("message_id") else "param reaction.message_id is required"
    return f"param type {kind!r} is not supported"


def _check_interactive(part: dict[str, Any]) -> str | None:
    text = (part.get("body") or {}).get("text", "")
    if not 0 < len(text) <= 1024:
        return "param interactive.body.text must be 1-1024 characters"
    action = part.get("action") or {}
    kind = part.get("type")
    if kind == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return "param interactive.action.buttons must have 1-3 buttons"
        ids = [b.get("reply", {}).get("id") for b in buttons]
        if len(set(ids)) != len(ids) or not all(ids):
            return "param interactive.action.buttons ids must be unique and non-empty"
        if not all(0 < len(b.get("reply", {}).get("title", "")) <= 20 for b in buttons):
            return "param interactive.action.buttons titles must be 1-20 characters"
        return None
    if kind == "list":
        rows = [r for s in action.get("sections") or [] for r in s.get("rows") or []]
        if not 1 <= len(rows) <= 10:
            return "param interactive.action.sections must hold 1-10 rows"
        if not all(0 < len(r.get("title", "")) <= 24 and r.get("id") for r in rows):
            return "param interactive.action rows need an id and a 1-24 character title"
        if not 0 < len(action.get("button", "")) <= 20:
            return "param interactive.action.button must be 1-20 characters"
        return None
    if kind == "cta_url":
        parameters = action.get("parameters") or {}
        if not parameters.get("url") or not parameters.get("display_text"):
            return "param interactive.action.parameters needs url and display_text"
        return None
    return f"param interactive.type {kind!r} is not supported"


def waba_webhook(value: dict[str, Any], *, waba_id: str = "102290129340398") -> dict[str, Any]:
    """The ``whatsapp_business_account`` envelope of one ``messages`` change ``value``."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"field": "messages", "value": value}]}],
    }


def _metadata(phone_number_id: str) -> dict[str, str]:
    return {"display_phone_number": "15550001111", "phone_number_id": phone_number_id}


def messages_value(
    phone_number_id: str, messages: list[dict[str, Any]], *, name: str = "Ada"
) -> dict[str, Any]:
    """A change ``value`` carrying inbound ``messages`` (the contacts are their senders)."""
    senders = sorted({m["from"] for m in messages})
    return {
        "messaging_product": "whatsapp",
        "metadata": _metadata(phone_number_id),
        "contacts": [{"profile": {"name": name}, "wa_id": s} for s in senders],
        "messages": messages,
    }


def _message(sender: str, message_id: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "from": sender.lstrip("+"),
        "id": message_id,
        "timestamp": str(int(time.time())),
        "type": kind,
        **fields,
    }


def text_message(*, sender: str, message_id: str, text: str) -> dict[str, Any]:
    """An inbound text message."""
    return _message(sender, message_id, "text", text={"body": text})


def media_message(
    *,
    sender: str,
    message_id: str,
    kind: str = "image",
    url: str | None = None,
    mime_type: str = "image/png",
    caption: str | None = None,
) -> dict[str, Any]:
    """An inbound media message (``image``, ``video``, ``audio``, ``document``, ``sticker``):
    a media id, and the download ``url`` recent API versions add."""
    media: dict[str, Any] = {
        "id": str(secrets.randbelow(10**15)),
        "mime_type": mime_type,
        "sha256": secrets.token_hex(32),
    }
    if url:
        media["url"] = url
    if caption:
        media["caption"] = caption
    return _message(sender, message_id, kind, **{kind: media})


def location_message(
    *, sender: str, message_id: str, latitude: float, longitude: float, name: str = ""
) -> dict[str, Any]:
    """An inbound shared location."""
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if name:
        location["name"] = name
    return _message(sender, message_id, "location", location=location)


def button_reply(
    *, sender: str, message_id: str, reply_id: str, title: str, context_id: str = ""
) -> dict[str, Any]:
    """A tap on a reply button of an interactive message the business sent."""
    fields: dict[str, Any] = {
        "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
    }
    if context_id:
        fields["context"] = {"from": "15550001111", "id": context_id}
    return _message(sender, message_id, "interactive", **fields)


def status_entry(
    *, message_id: str, status: str, recipient: str, error_code: int | None = None
) -> dict[str, Any]:
    """One status of a message the business sent: ``sent``, ``delivered``, ``read`` or
    ``failed`` (with an error)."""
    entry: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient.lstrip("+"),
    }
    if error_code is not None:
        entry["errors"] = [
            {
                "code": error_code,
                "title": "Message undeliverable",
                "error_data": {"details": "Message failed to send"},
            }
        ]
    return entry


def statuses_value(phone_number_id: str, statuses: list[dict[str, Any]]) -> dict[str, Any]:
    """A change ``value`` carrying delivery ``statuses``."""
    return {
        "messaging_product": "whatsapp",
        "metadata": _metadata(phone_number_id),
        "statuses": statuses,
    }
