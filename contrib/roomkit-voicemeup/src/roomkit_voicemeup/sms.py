"""``VoiceMeUpSMSProvider``: SMS / MMS through VoiceMeUp's REST API (httpx), with MMS
reassembly of inbound webhooks."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from roomkit.core.transcoding import content_to_text
from roomkit.errors import ConfigurationError
from roomkit.messaging.meta import WebhookMeta
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import InboundMessage, RoomEvent
from roomkit.providers.sms.base import SMSProvider
from roomkit_voicemeup.config import VoiceMeUpConfig
from roomkit_voicemeup.mms import MMSAggregator, OnTimeout
from roomkit_voicemeup.webhooks import (
    VoiceMeUpTokenVerifier,
    VoiceMeUpWebhookParser,
    extract_voicemeup_meta,
)

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "VoiceMeUpConfig",
    "VoiceMeUpSMSProvider",
    "configure_voicemeup_mms",
    "parse_voicemeup_webhook",
    "split_message",
]

#: Characters VoiceMeUp takes in one ``queue_sms`` call.
MAX_MESSAGE_LENGTH = 1000


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Pieces of at most ``limit`` characters that join back to ``text`` exactly, cut after
    the last space or line break of a piece when there is one."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind(" "), window.rfind("\n")) + 1
        if cut <= limit // 2:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def _digits(number: str) -> str:
    return number.strip().removeprefix("+")


class VoiceMeUpSMSProvider(SMSProvider):
    """SMS / MMS through VoiceMeUp (see the package README for the webhook token)."""

    def __init__(self, config: VoiceMeUpConfig) -> None:
        self._config = config
        self._client: httpx.AsyncClient | None = None
        self._mms = MMSAggregator(timeout_seconds=config.mms_timeout_seconds)

    @property
    def name(self) -> str:
        return "voicemeup"

    @property
    def from_number(self) -> str:
        return self._config.from_number

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self._config.base_url, timeout=httpx.Timeout(self._config.timeout)
            )
        return self._client

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        """Send ``event`` to ``to``; texts over 1,000 characters go in several messages (the
        first one's reference is the result's, all in ``metadata["part_ids"]``)."""
        content: Any = event.content
        attachment: str | None = None
        if getattr(content, "type", "") in ("media", "audio", "video"):
            text, attachment = content.caption or "", content.url
        else:
            text = content_to_text(content)
        if not text.strip() and not attachment:
            return ProviderResult.failed("voicemeup: the event has nothing to send")
        ids: list[str] = []
        for index, piece in enumerate(split_message(text) if text else [""]):
            result = await self._queue(
                piece, to, from_ or self._config.from_number, attachment if index == 0 else None
            )
            if not result.success:
                return result
            ids.append(str(result.provider_message_id))
        if len(ids) == 1:
            return result
        return ProviderResult.sent(ids[0], part_ids=ids)

    async def _queue(
        self, message: str, to: str, sender: str, attachment: str | None
    ) -> ProviderResult:
        form = {
            "username": self._config.username,
            "auth_token": self._config.auth_token.get_secret_value(),
            "source_number": _digits(sender),
            "destination_number": _digits(to),
        }
        if message:
            form["message"] = message
        if attachment:
            form["attachment"] = attachment
        try:
            response = await self._http().post("queue_sms", data=form)
        except httpx.TimeoutException:
            limit = self._config.timeout
            return ProviderResult.failed(f"voicemeup: no answer within {limit:g}s", retryable=True)
        except httpx.TransportError as exc:
            return ProviderResult.failed(
                f"voicemeup: connection failed ({type(exc).__name__})", retryable=True
            )
        return _result(response)

    # -- inbound --------------------------------------------------------------------------
    def configure_mms(
        self, *, timeout_seconds: float = 5.0, on_timeout: OnTimeout | None = None
    ) -> None:
        """How long this provider's webhooks wait for an MMS picture, and who gets the text
        when it never comes (RoomKit 0.6.7's call)."""
        self._mms.configure(timeout_seconds=timeout_seconds, on_timeout=on_timeout)

    def parse_mms_webhook(self, payload: dict[str, Any], channel_id: str) -> InboundMessage | None:
        """A webhook's message with this provider's MMS buffer; ``None`` while a first MMS
        part waits for its picture. Check the token first (the webhook server does)."""
        return self._mms.accept(payload, channel_id)

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        token = self._config.webhook_token
        if token is None:
            raise ConfigurationError(
                "voicemeup: VoiceMeUp does not sign webhooks; set webhook_token to a random "
                "secret and give VoiceMeUp the callback URL ending with ?token=<it>"
            )
        verifier = VoiceMeUpTokenVerifier(token.get_secret_value())
        return {"": WebhookEndpoint(verifier, VoiceMeUpWebhookParser(self._mms), name="voicemeup")}

    @staticmethod
    def extract_meta(payload: Mapping[str, Any]) -> WebhookMeta:
        """``extract_sms_meta("voicemeup", payload)``."""
        return extract_voicemeup_meta(payload)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def _result(response: httpx.Response) -> ProviderResult:
    try:
        data = response.json()
    except ValueError:
        data = None
    found = data if isinstance(data, dict) else {}
    messages = found.get("response_messages")
    reason = "; ".join(str(m) for m in messages) if isinstance(messages, list) else ""
    if response.status_code >= 400:
        retry = response.headers.get("retry-after")
        try:
            retry_after = float(retry) if retry is not None else None
        except ValueError:
            retry_after = None
        return ProviderResult.from_http_error(
            response.status_code, f"VoiceMeUp: {reason or 'error'}"[:300], retry_after=retry_after
        )
    if str(found.get("response_status", "")).lower() in ("error", "failed", "failure"):
        return ProviderResult.failed(
            f"VoiceMeUp refused the message: {reason or 'no reason given'}"[:300],
            status_code=response.status_code,
        )
    vendor_id = found.get("sms_hash")
    if vendor_id:
        return ProviderResult.sent(str(vendor_id))
    # queue_sms answers no message id: a local reference keeps each send traceable
    return ProviderResult.sent(f"vmu-{uuid.uuid4().hex}", local_reference=True)


_DEFAULT = MMSAggregator()


def configure_voicemeup_mms(
    *, timeout_seconds: float = 5.0, on_timeout: OnTimeout | None = None
) -> None:
    """MMS reassembly settings of :func:`parse_voicemeup_webhook` (RoomKit 0.6.7's call):
    how long a first part waits for its picture, and who gets its text when it never comes
    (without ``on_timeout`` the text is logged as dropped)."""
    _DEFAULT.configure(timeout_seconds=timeout_seconds, on_timeout=on_timeout)


def parse_voicemeup_webhook(payload: dict[str, Any], channel_id: str) -> InboundMessage | None:
    """A VoiceMeUp webhook as an ``InboundMessage``, or ``None`` while the first part of a
    split MMS waits for its picture (the two parts come back merged). Check the webhook
    token first; providers served by the webhook server do this for you."""
    return _DEFAULT.accept(payload, channel_id)
