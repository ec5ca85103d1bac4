"""The messaging suite passes the kernel's mocks and a provider over a real HTTP wire fake,
and catches providers that misclassify failures, raise, or skip signature checks."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from roomkit.messaging.signing import SIGNATURE_HEADER, HmacSigner, HmacVerifier
from roomkit.messaging.webhook import WebhookEndpoint, WebhookRequest
from roomkit.models.delivery import ProviderResult
from roomkit.models.enums import DeliveryStatus
from roomkit.models.event import RoomEvent
from roomkit.providers.mock import MockWebhookParser
from roomkit.providers.sms.base import SMSProvider
from roomkit_conformance import builtins
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.messaging import (
    MessagingHarness,
    MessagingProviderSuite,
    SentMessage,
)
from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer

ALL = frozenset({"media", "webhooks", "inbound_media", "delivery_receipts", "read_receipts"})


def test_every_messaging_kind_maps_to_the_suite() -> None:
    for kind in ("sms_provider", "rcs_provider", "email_provider", "messaging_provider"):
        assert SUITES[kind] == "roomkit_conformance.suites.messaging:MessagingProviderSuite"


class TestMockSMS(MessagingProviderSuite):
    capabilities = ALL

    @pytest.fixture
    def component(self) -> MessagingHarness:
        harness: MessagingHarness = builtins.mock_sms_provider()
        return harness


class TestMockEmail(MessagingProviderSuite):
    capabilities = ALL

    @pytest.fixture
    def component(self) -> MessagingHarness:
        harness: MessagingHarness = builtins.mock_email_provider()
        return harness


# -- a provider over HTTP: the pattern vendor plugins follow ----------------------------------
SECRET = "acme-webhook-secret"


class AcmeWire(WireServer):
    """A fake vendor: ``POST /v1/messages`` (JSON) answers ``201 {"id": ...}``."""

    def handle(self, request: RecordedRequest) -> WireResponse:
        if request.method == "POST" and request.path == "/v1/messages":
            if request.headers.get("authorization") != "Bearer test-key":
                return WireResponse.json({"error": "unauthorised"}, status=401)
            return WireResponse.json({"id": f"acme-{uuid.uuid4().hex}"}, status=201)
        return WireResponse.json({"error": "not found"}, status=404)


class AcmeSMSProvider(SMSProvider):
    """A small SMS provider on httpx: what a vendor plugin's provider looks like."""

    def __init__(self, base_url: str, api_key: str, *, webhook_secret: str, timeout: float):
        import httpx

        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._key = api_key
        self._secret = webhook_secret

    @property
    def name(self) -> str:
        return "acme"

    async def send(self, event: RoomEvent, to: str, from_: str | None = None) -> ProviderResult:
        import httpx

        content = event.content
        payload: dict[str, Any] = {"to": to, "text": getattr(content, "body", "")}
        if content.type == "media":
            payload.update(text=content.caption or "", media_url=content.url)
        try:
            response = await self._client.post(
                "/v1/messages", json=payload, headers={"Authorization": f"Bearer {self._key}"}
            )
        except httpx.TimeoutException:
            return ProviderResult.failed("acme: timed out", retryable=True)
        except httpx.TransportError as exc:
            return ProviderResult.failed(f"acme: {type(exc).__name__}", retryable=True)
        if response.status_code >= 400:
            retry_after = response.headers.get("retry-after")
            return ProviderResult.from_http_error(
                response.status_code,
                response.text[:200],
                retry_after=float(retry_after) if retry_after else None,
            )
        return ProviderResult.sent(response.json()["id"])

    def webhook_endpoints(self) -> dict[str, WebhookEndpoint]:
        # Acme signs like RoomKit's own scheme and posts the mock JSON format.
        return {"": WebhookEndpoint(HmacVerifier(self._secret), MockWebhookParser("acme"))}

    async def close(self) -> None:
        await self._client.aclose()


class AcmeWireView:
    """The MessagingWire of AcmeWire: reads its journal, scripts it, signs like Acme."""

    def __init__(self, server: AcmeWire) -> None:
        self.server = server
        self.signer = HmacSigner(SECRET)

    async def reset(self) -> None:
        self.server.reset()

    async def sent(self) -> list[SentMessage]:
        found = []
        for request in self.server.requests:
            if request.path == "/v1/messages":
                body = request.json()
                media = (body["media_url"],) if body.get("media_url") else ()
                found.append(SentMessage(body["to"], body["text"], media, body))
        return found

    async def fail(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        self.server.fail(status, times=times, retry_after=retry_after)

    async def hang(self, seconds: float, *, times: int = 1) -> None:
        self.server.hang(seconds, times=times)

    def signed(
        self, body: bytes, content_type: str, timestamp: int | None = None
    ) -> WebhookRequest:
        headers = {k.lower(): v for k, v in self.signer.headers(body, timestamp).items()}
        headers["content-type"] = content_type
        return WebhookRequest("POST", "https://hooks.example/acme", headers, body)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        data = {
            "type": "message",
            "id": message_id,
            "from": sender,
            "text": text,
            "media": [{"url": u, "mime_type": "image/png"} for u in media],
        }
        return self.signed(json.dumps(data).encode(), "application/json")

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        data = {"type": "status", "message_id": message_id, "status": status.value}
        return self.signed(json.dumps(data).encode(), "application/json")

    def unsigned(self, request: WebhookRequest) -> WebhookRequest:
        headers = {k: v for k, v in request.headers.items() if k != SIGNATURE_HEADER.lower()}
        return WebhookRequest(request.method, request.url, headers, request.body)

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        return WebhookRequest(request.method, request.url, request.headers, request.body + b"!")

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        import time

        return self.signed(request.body, "application/json", int(time.time()) - 3600)


class TestAcmeOverHTTP(MessagingProviderSuite):
    capabilities = ALL

    @pytest.fixture
    async def component(self) -> AsyncIterator[MessagingHarness]:
        async with AcmeWire() as server:
            provider = AcmeSMSProvider(server.url, "test-key", webhook_secret=SECRET, timeout=1.0)
            yield MessagingHarness(provider, AcmeWireView(server), timeout_seconds=1.0)
            await provider.close()


# -- broken providers fail the suite ------------------------------------------------------------
BROKEN = """
from roomkit.models.delivery import ProviderResult
from roomkit.providers.sms.mock import MockSMSProvider
from roomkit_conformance.mock_messaging import MOCK_WEBHOOK_SECRET, MockWire
from roomkit_conformance.suites.messaging import MessagingHarness

class Broken(MockSMSProvider):
    async def send(self, event, to, from_=None):
        result = await super().send(event, to, from_)
        if not result.success and result.status_code == 503:
            raise RuntimeError("raw vendor error")      # raises instead of returning
        if not result.success:
            return ProviderResult(success=False, error=result.error,
                                  status_code=result.status_code)   # never retryable
        return result

class NoCheck(MockWire):
    pass

def make():
    provider = Broken(webhook_secret=MOCK_WEBHOOK_SECRET)
    endpoint = provider.webhook_endpoints()[""]
    class Accepting:
        def verify(self, request):
            return None                                  # accepts anything
    from roomkit.messaging.webhook import WebhookEndpoint
    provider.webhook_endpoints = lambda: {"": WebhookEndpoint(Accepting(), endpoint.parser)}
    return MessagingHarness(provider, MockWire(provider))
"""


def test_broken_provider_fails_the_suite(tmp_path: Path) -> None:
    (tmp_path / "broken_messaging.py").write_text(BROKEN)
    target = Target(
        "test",
        "sms_provider",
        "broken",
        "broken_messaging:make",
        SUITES["sms_provider"],
        frozenset({"webhooks", "delivery_receipts"}),
    )
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failed = " ".join(result.failures)
    for name in (
        "test_vendor_errors_are_classified[503-True]",
        "test_vendor_errors_are_classified[429-True]",
        "test_rate_limit_carries_retry_after",
        "test_a_timeout_is_a_retryable_failure_in_bounded_time",
        "test_tampered_and_unsigned_requests_are_refused",
        "test_a_replayed_request_is_refused_or_deduplicated",
    ):
        assert name in failed, f"{name} should have failed"
    assert "test_send_text_reaches_the_vendor" not in failed
