"""Conformance fixtures: each Twilio provider over the Twilio wire fake, real SDK, real socket.

``sms_harness()`` / ``rcs_harness()`` / ``whatsapp_harness()`` are async context managers giving a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness` (the descriptors'
``conformance=``); :class:`TwilioWireView` is the fake seen as a ``MessagingWire``.
Requires ``roomkit-conformance`` (the ``test`` extra).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from urllib.parse import parse_qs, urlencode

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit.providers.messaging import MessagingProvider
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.twilio import TwilioWire
from roomkit_twilio.config import TwilioConfig, TwilioRCSConfig, TwilioWhatsAppConfig
from roomkit_twilio.rcs import TwilioRCSProvider
from roomkit_twilio.sms import TwilioSMSProvider
from roomkit_twilio.webhooks import strip_address_prefix
from roomkit_twilio.whatsapp import TwilioWhatsAppProvider

__all__ = [
    "HOOK_URL",
    "TwilioWireView",
    "rcs_harness",
    "sms_harness",
    "whatsapp_harness",
]

#: The public URL the fake signs its webhooks for.
HOOK_URL = "https://hooks.example.com/webhooks/twilio"
_FORM = "application/x-www-form-urlencoded"
_WORDS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.FAILED: "undelivered",
    DeliveryStatus.READ: "read",
    DeliveryStatus.SENT: "sent",
}


class TwilioWireView:
    """A :class:`~roomkit_conformance.suites.messaging.MessagingWire` over :class:`TwilioWire`.

    ``prefix`` is the address prefix of the channel (``"whatsapp:"``, or ``""``).
    """

    def __init__(self, server: TwilioWire, *, prefix: str = "", to: str = "+15550001111"):
        self.server = server
        self.prefix = prefix
        self.to = to

    async def reset(self) -> None:
        self.server.reset()

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if request.method != "POST" or not request.path.endswith("/Messages.json"):
                continue
            form = parse_qs(request.body.decode(), keep_blank_values=True)
            to = strip_address_prefix(form.get("To", [""])[-1])
            body = form.get("Body", [""])[-1]
            found.append(SentMessage(to, body, tuple(form.get("MediaUrl", [])), form))
        return found

    async def fail(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        self.server.fail(status, times=times, retry_after=retry_after)

    async def hang(self, seconds: float, *, times: int = 1) -> None:
        self.server.hang(seconds, times=times)

    def _form_request(self, form: dict[str, str]) -> WebhookRequest:
        return WebhookRequest(
            "POST",
            HOOK_URL,
            {k.lower(): v for k, v in self.server.signed_headers(HOOK_URL, form).items()},
            urlencode(form).encode(),
        )

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        form = self.server.inbound_form(
            sender=self.prefix + sender,
            to=self.prefix + self.to,
            body=text,
            message_sid=message_id,
            media=[(url, "image/png") for url in media],
        )
        return self._form_request(form)

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        form = self.server.status_form(
            message_sid=message_id,
            status=_WORDS[status],
            to=self.prefix + "+15550199",
            sender=self.prefix + self.to,
            error_code="30003" if status == DeliveryStatus.FAILED else None,
        )
        return self._form_request(form)

    def signed(self, body: bytes, content_type: str) -> WebhookRequest:
        if content_type == _FORM:
            form = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
            url, signature = HOOK_URL, self.server.sign(HOOK_URL, form)
        else:  # Twilio covers a JSON body by its hash in the signed URL
            url = f"{HOOK_URL}?bodySHA256={hashlib.sha256(body).hexdigest()}"
            signature = self.server.sign(url, None)
        headers = {"content-type": content_type, "x-twilio-signature": signature}
        return WebhookRequest("POST", url, headers, body)

    def unsigned(self, request: WebhookRequest) -> WebhookRequest:
        headers = {k: v for k, v in request.headers.items() if k != "x-twilio-signature"}
        return WebhookRequest(request.method, request.url, headers, request.body)

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        return WebhookRequest(request.method, request.url, request.headers, request.body + b"&x=1")

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return None  # Twilio signs no timestamp: a replay is caught by dedupe on MessageSid


@asynccontextmanager
async def _harness(
    build: Callable[[TwilioWire], MessagingProvider], prefix: str = ""
) -> AsyncIterator[MessagingHarness]:
    async with TwilioWire() as server:
        assert isinstance(server, TwilioWire)
        provider = build(server)
        try:
            view = TwilioWireView(server, prefix=prefix)
            yield MessagingHarness(provider, view, recipient="+15550199", timeout_seconds=1.0)
        finally:
            await provider.close()


def _sms(server: TwilioWire) -> MessagingProvider:
    return TwilioSMSProvider(
        TwilioConfig(
            account_sid=server.account_sid,
            auth_token=server.auth_token,
            from_number="+15550001111",
            timeout=1.0,
            api_base_url=server.url,
        )
    )


def _rcs(server: TwilioWire) -> MessagingProvider:
    return TwilioRCSProvider(
        TwilioRCSConfig(
            account_sid=server.account_sid,
            auth_token=server.auth_token,
            messaging_service_sid="MG" + "0" * 31 + "1",
            timeout=1.0,
            api_base_url=server.url,
        )
    )


def _whatsapp(server: TwilioWire) -> MessagingProvider:
    return TwilioWhatsAppProvider(
        TwilioWhatsAppConfig(
            account_sid=server.account_sid,
            auth_token=server.auth_token,
            from_number="+15550001111",
            timeout=1.0,
            api_base_url=server.url,
        )
    )


def sms_harness() -> AbstractAsyncContextManager[MessagingHarness]:
    """``TwilioSMSProvider`` over a fresh :class:`TwilioWire` (1-second timeout)."""
    return _harness(_sms)


def rcs_harness() -> AbstractAsyncContextManager[MessagingHarness]:
    """``TwilioRCSProvider`` over a fresh :class:`TwilioWire`."""
    return _harness(_rcs, "rcs:")


def whatsapp_harness() -> AbstractAsyncContextManager[MessagingHarness]:
    """``TwilioWhatsAppProvider`` over a fresh :class:`TwilioWire`."""
    return _harness(_whatsapp, "whatsapp:")
