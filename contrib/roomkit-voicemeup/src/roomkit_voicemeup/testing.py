"""Conformance fixture: ``VoiceMeUpSMSProvider`` over the VoiceMeUp wire fake (real socket).

VoiceMeUp signs no webhook: the "signature" the suite checks is the secret token of the
callback URL (missing -> ``missing``, another token -> ``invalid``); there is no timestamp, so
replays are caught by dedupe on ``sms_hash``. VoiceMeUp sends no delivery receipts.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from urllib.parse import parse_qs

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.voicemeup import VoiceMeUpWire
from roomkit_voicemeup.config import VoiceMeUpConfig
from roomkit_voicemeup.sms import VoiceMeUpSMSProvider

__all__ = ["HOOK_URL", "WEBHOOK_TOKEN", "VoiceMeUpWireView", "sms_harness"]

WEBHOOK_TOKEN = "vmu-conformance-webhook-token"
HOOK_URL = "https://hooks.example.com/webhooks/voicemeup"


def _with_token(token: str | None) -> str:
    return HOOK_URL if token is None else f"{HOOK_URL}?token={token}"


class VoiceMeUpWireView:
    """A ``MessagingWire`` over :class:`VoiceMeUpWire`."""

    def __init__(self, server: VoiceMeUpWire, token: str = WEBHOOK_TOKEN) -> None:
        self.server = server
        self.token = token

    async def reset(self) -> None:
        self.server.reset()

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if request.method == "POST" and request.path.endswith("/queue_sms"):
                form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
                media = (form["attachment"],) if form.get("attachment") else ()
                to = "+" + form.get("destination_number", "")
                found.append(SentMessage(to, form.get("message", ""), media, form))
        return found

    async def fail(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        self.server.fail(status, times=times, retry_after=retry_after)

    async def hang(self, seconds: float, *, times: int = 1) -> None:
        self.server.hang(seconds, times=times)

    def _request(self, body: bytes, content_type: str, token: str | None) -> WebhookRequest:
        query = {} if token is None else {"token": token}
        headers = {"content-type": content_type}
        return WebhookRequest("POST", _with_token(token), headers, body, query)

    def signed(self, body: bytes, content_type: str) -> WebhookRequest:
        return self._request(body, content_type, self.token)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        attachment = (media[0], "image/png") if media else None
        payload = self.server.message_payload(
            sender=sender, to="+15145551111", text=text, sms_hash=message_id, attachment=attachment
        )
        return self.signed(json.dumps(payload).encode(), "application/json")

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        raise NotImplementedError("VoiceMeUp sends no delivery receipts")

    def unsigned(self, request: WebhookRequest) -> WebhookRequest:
        return self._request(request.body, request.content_type, None)

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        return self._request(request.body, request.content_type, self.token + "-forged")

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return None


@asynccontextmanager
async def _harness() -> AsyncIterator[MessagingHarness]:
    async with VoiceMeUpWire() as server:
        assert isinstance(server, VoiceMeUpWire)
        provider = VoiceMeUpSMSProvider(
            VoiceMeUpConfig(
                username=server.username,
                auth_token=server.auth_token,
                from_number="+15145551111",
                timeout=1.0,
                api_base_url=server.base_url,
                webhook_token=WEBHOOK_TOKEN,
            )
        )
        try:
            view = VoiceMeUpWireView(server)
            yield MessagingHarness(provider, view, recipient="+15145550199", timeout_seconds=1.0)
        finally:
            await provider.close()


def sms_harness() -> AbstractAsyncContextManager[MessagingHarness]:
    """``VoiceMeUpSMSProvider`` over a fresh :class:`VoiceMeUpWire` (1-second timeout)."""
    return _harness()
