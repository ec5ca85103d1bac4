"""Twilio's inbound webhooks: ``X-Twilio-Signature`` verification, then parsing.

* :class:`TwilioSignatureVerifier` checks the signature with the twilio SDK's
  ``RequestValidator`` on the raw request, before anything parses it: HMAC-SHA1 of the public
  URL Twilio called plus the sorted form fields with the auth token (or HMAC-SHA256 with a
  SharedKey when ``X-Twilio-Webhooks-Signature-Settings`` says so); JSON bodies are covered by
  the URL's ``bodySHA256``. Twilio signs no timestamp: replays are caught by the webhook
  server's dedupe on the message SID.
* :class:`TwilioWebhookParser` turns the form into an :class:`InboundMessage` (an incoming
  SMS / MMS / RCS / WhatsApp message, ``SmsStatus=received``) or a
  :class:`DeliveryStatusUpdate` (a status callback: ``MessageStatus`` ``sent``,
  ``delivered``, ``undelivered``, ``failed``, ``read`` ...), and answers Twilio with empty TwiML.
* :func:`extract_twilio_meta` is the ``extract_sms_meta("twilio", payload)`` reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator, get_signature_algorithm

from roomkit.errors import WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.meta import WebhookMeta, build_inbound_content
from roomkit.messaging.webhook import (
    WebhookItem,
    WebhookParser,
    WebhookReply,
    WebhookRequest,
    WebhookVerifier,
)
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.event import InboundMessage

__all__ = [
    "TWIML_EMPTY",
    "TwilioSignatureVerifier",
    "TwilioWebhookParser",
    "extract_twilio_meta",
    "strip_address_prefix",
    "twilio_inbound_message",
]

#: The answer that tells Twilio "received, nothing to reply".
TWIML_EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

_FORM = "application/x-www-form-urlencoded"
_PREFIXES = ("whatsapp:", "rcs:", "messenger:")
_INBOUND_WORDS = frozenset({"received", "receiving"})


def strip_address_prefix(address: str) -> str:
    """``"whatsapp:+15550100"`` -> ``"+15550100"`` (Twilio prefixes non-SMS addresses)."""
    for prefix in _PREFIXES:
        if address.lower().startswith(prefix):
            return address[len(prefix) :]
    return address


class _Params(dict[str, list[str]]):
    """Form fields with every value of repeated keys, as ``RequestValidator`` reads them."""

    def getall(self, name: str) -> list[str]:
        return self[name]


class TwilioSignatureVerifier(WebhookVerifier):
    """Verifies ``X-Twilio-Signature`` with the auth token (or a SharedKey secret)."""

    def __init__(self, auth_token: str, *, signing_key: str | None = None) -> None:
        self._token = RequestValidator(auth_token)
        self._shared = RequestValidator(signing_key) if signing_key else None

    def verify(self, request: WebhookRequest) -> None:
        signature = request.header("x-twilio-signature")
        if not signature:
            raise WebhookSignatureError("no X-Twilio-Signature header", reason="missing")
        settings = request.header("x-twilio-webhooks-signature-settings")
        validator = self._shared if settings and self._shared is not None else self._token
        algorithm = get_signature_algorithm(settings)
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookSignatureError("the body is not UTF-8: not signed by Twilio") from None
        params: _Params | str
        if request.content_type == _FORM:
            params = _Params()
            for name, value in parse_qsl(text, keep_blank_values=True):
                params.setdefault(name, []).append(value)
        else:
            if "bodySHA256=" not in request.url:
                raise WebhookSignatureError(
                    "a Twilio JSON webhook must carry bodySHA256 in its URL", reason="invalid"
                )
            params = text
        if not validator.validate(request.url, params, signature, algorithm):
            raise WebhookSignatureError(
                "X-Twilio-Signature does not match: check the auth token and that the server's "
                "public_url is the URL Twilio calls",
                reason="invalid",
            )


def _media(form: Mapping[str, str]) -> list[dict[str, str | None]]:
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError:
        raise WebhookPayloadError("NumMedia is not a number") from None
    found: list[dict[str, str | None]] = []
    for index in range(max(0, min(count, 10))):
        url = form.get(f"MediaUrl{index}")
        if url:
            found.append({"url": url, "mime_type": form.get(f"MediaContentType{index}")})
    return found


def _status_word(form: Mapping[str, Any]) -> str | None:
    word = form.get("MessageStatus") or form.get("SmsStatus")
    if not word or str(word).lower() in _INBOUND_WORDS:
        return None
    return str(word)


def extract_twilio_meta(payload: Mapping[str, Any]) -> WebhookMeta:
    """The vendor-neutral view of a Twilio webhook (``extract_sms_meta("twilio", payload)``).

    A status callback has ``status`` set (``meta.is_status``); an incoming message does not.
    """
    form = {str(k): str(v) for k, v in payload.items() if v is not None}
    return WebhookMeta(
        provider="twilio",
        sender=form.get("From", ""),
        recipient=form.get("To", ""),
        body=form.get("Body", ""),
        external_id=form.get("MessageSid") or form.get("SmsSid"),
        timestamp=None,
        raw=dict(payload),
        media_urls=_media(form),
        status=_status_word(form),
        error_code=form.get("ErrorCode") or None,
        error_message=form.get("ErrorMessage") or None,
    )


def twilio_inbound_message(
    form: Mapping[str, str], channel_id: str, *, channel: str = "sms"
) -> InboundMessage:
    """An incoming Twilio message as an :class:`InboundMessage` (the SID is its idempotency
    key); ``WebhookPayloadError`` when the form is a status callback or lacks what every
    incoming message has."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = strip_address_prefix(form.get("From", "")).strip()
    if not sid or not sender:
        raise WebhookPayloadError("not a Twilio message webhook: MessageSid and From are required")
    status = _status_word(form)
    if status is not None:
        raise WebhookPayloadError(
            f"this Twilio webhook is a status callback (MessageStatus={status!r}), not an "
            "incoming message: read it with extract_sms_meta('twilio', payload).to_status()"
        )
    media = _media(form)
    metadata: dict[str, Any] = {
        "provider": "twilio",
        "to": strip_address_prefix(form.get("To", "")),
        "account_sid": form.get("AccountSid", ""),
        "num_media": str(len(media)),
        "address": form.get("From", ""),
    }
    if channel == "sms":
        metadata.update(
            from_city=form.get("FromCity"),
            from_state=form.get("FromState"),
            from_country=form.get("FromCountry"),
        )
    else:
        metadata.update(channel=channel, messaging_service_sid=form.get("MessagingServiceSid", ""))
    for field, key in (
        ("ButtonPayload", "button_payload"),
        ("ButtonText", "button_text"),
        ("ProfileName", "profile_name"),
        ("WaId", "wa_id"),
        ("Latitude", "latitude"),
        ("Longitude", "longitude"),
    ):
        if form.get(field):
            metadata[key] = form[field]
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender,
        content=build_inbound_content(form.get("Body", ""), media),
        external_id=sid,
        idempotency_key=sid,
        metadata=metadata,
    )


class TwilioWebhookParser(WebhookParser):
    """Parses Twilio's form webhooks for one provider (``channel``: ``sms``, ``rcs`` or
    ``whatsapp``): incoming messages and status callbacks."""

    def __init__(self, provider: str, *, channel: str = "sms") -> None:
        self._provider = provider
        self._channel = channel

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        if request.content_type != _FORM:
            raise WebhookPayloadError(
                f"Twilio posts {_FORM}, not {request.content_type or 'an untyped body'}"
            )
        form = request.form()
        meta = extract_twilio_meta(form)
        if meta.status is not None:
            if not meta.external_id:
                raise WebhookPayloadError("a Twilio status callback without MessageSid")
            return [
                DeliveryStatusUpdate(
                    channel_id=channel_id,
                    provider=self._provider,
                    message_id=meta.external_id,
                    status=meta.status,
                    recipient=strip_address_prefix(meta.recipient),
                    sender=strip_address_prefix(meta.sender),
                    error_code=meta.error_code,
                    error_message=meta.error_message,
                    raw=dict(form),
                )
            ]
        return [twilio_inbound_message(form, channel_id, channel=self._channel)]

    def acknowledge(self, request: WebhookRequest, items: Sequence[WebhookItem]) -> WebhookReply:
        return WebhookReply(200, TWIML_EMPTY, "text/xml")
