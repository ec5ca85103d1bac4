"""VoiceMeUp's webhooks: the callback-URL token check, then parsing with MMS reassembly.

VoiceMeUp signs nothing, so the plugin refuses any webhook whose URL does not carry the
configured secret (``?token=<webhook_token>``, compared in constant time); a forged or
replayed request without the secret is refused before its body is read, and VoiceMeUp's
retries are deduplicated by their ``sms_hash``. Bodies are JSON or form data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from roomkit.errors import WebhookPayloadError, WebhookSignatureError
from roomkit.messaging.meta import WebhookMeta
from roomkit.messaging.signing import signatures_match
from roomkit.messaging.webhook import WebhookItem, WebhookParser, WebhookRequest, WebhookVerifier
from roomkit_voicemeup.mms import MMSAggregator

__all__ = ["VoiceMeUpTokenVerifier", "VoiceMeUpWebhookParser", "extract_voicemeup_meta"]

TOKEN_PARAMETER = "token"


class VoiceMeUpTokenVerifier(WebhookVerifier):
    """Accepts requests whose URL carries the secret ``token`` query parameter."""

    def __init__(self, token: str) -> None:
        if len(token) < 16:
            raise ValueError("webhook_token must be at least 16 characters (a random secret)")
        self._token = token

    def verify(self, request: WebhookRequest) -> None:
        given = request.query.get(TOKEN_PARAMETER)
        if given is None:
            query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
            given = query.get(TOKEN_PARAMETER)
        if not given:
            raise WebhookSignatureError(
                "no ?token= in the webhook URL: give VoiceMeUp the callback URL with the token",
                reason="missing",
            )
        if not signatures_match(self._token, given):
            raise WebhookSignatureError("the webhook token does not match", reason="invalid")


def payload_of(request: WebhookRequest) -> dict[str, Any]:
    """The webhook's fields, from JSON or form data."""
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(request.form())
    return request.json_object()


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def extract_voicemeup_meta(payload: Mapping[str, Any]) -> WebhookMeta:
    """The vendor-neutral view of a VoiceMeUp webhook (``extract_sms_meta("voicemeup", ...)``)."""
    url = payload.get("attachment") or payload.get("attachment_url")
    mime = payload.get("attachment_mime_type") or payload.get("attachment_type")
    return WebhookMeta(
        provider="voicemeup",
        sender=str(payload.get("source_number") or ""),
        recipient=str(payload.get("destination_number") or ""),
        body=str(payload.get("message") or ""),
        external_id=str(payload["sms_hash"]) if payload.get("sms_hash") else None,
        timestamp=_timestamp(payload.get("datetime_transmission")),
        raw=dict(payload),
        media_urls=[{"url": str(url), "mime_type": str(mime) if mime else None}] if url else [],
    )


class VoiceMeUpWebhookParser(WebhookParser):
    """Parses VoiceMeUp's message webhooks through an :class:`MMSAggregator` (a first MMS part
    gives no item until its picture arrives). Outbound echoes are ignored."""

    def __init__(self, aggregator: MMSAggregator) -> None:
        self._aggregator = aggregator

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        payload = payload_of(request)
        if not payload.get("source_number"):
            raise WebhookPayloadError("not a VoiceMeUp message webhook: source_number missing")
        if str(payload.get("direction") or "inbound").lower() != "inbound":
            return []
        message = self._aggregator.accept(payload, channel_id)
        return [message] if message is not None else []
