"""The webhook server over a real socket: signatures, limits, dedupe, queue, health, shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from roomkit_server import ServerSettings, WebhookServer
from roomkit_server.testing import serve_app

from roomkit import HookExecution, HookResult, HookTrigger, RoomKit
from roomkit.channels.sms import SMSChannel
from roomkit.errors import ConfigurationError, WebhookSignatureError
from roomkit.messaging.webhook import (
    WebhookEndpoint,
    WebhookParser,
    WebhookReply,
    WebhookRequest,
    WebhookVerifier,
)
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.enums import DeliveryStatus
from roomkit.testing import MockSMSProvider

SECRET = "server-test-secret"


@dataclass
class Running:
    """A served WebhookServer and what tests need around it."""

    kit: RoomKit
    sms: MockSMSProvider
    server: WebhookServer
    url: str
    client: httpx.AsyncClient
    gate: asyncio.Event

    async def post(self, request: WebhookRequest, path: str = "/webhooks/sms") -> httpx.Response:
        headers = dict(request.headers)
        return await self.client.post(self.url + path, content=request.body, headers=headers)

    async def until(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        """Wait (bounded) for ``condition``; never a fixed sleep."""
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.01)

    async def inbound_texts(self) -> list[str]:
        texts = []
        for room in await self.kit.list_rooms():
            for event in await self.kit.get_timeline(room.id):
                if event.source.channel_id == "sms":
                    texts.append(getattr(event.content, "body", ""))
        return texts


def make_server(
    settings: ServerSettings | None = None, *, gated: bool = False
) -> tuple[RoomKit, MockSMSProvider, WebhookServer, asyncio.Event]:
    kit = RoomKit()
    sms = MockSMSProvider(webhook_secret=SECRET)
    kit.register_channel(SMSChannel("sms", provider=sms))
    gate = asyncio.Event()
    if gated:  # processing waits on the gate: lets tests fill the queue deterministically

        @kit.hook(HookTrigger.BEFORE_BROADCAST, execution=HookExecution.SYNC)
        async def hold(event: Any, ctx: Any) -> HookResult:
            await gate.wait()
            return HookResult.allow()

    else:
        gate.set()
    server = WebhookServer(kit, settings or ServerSettings())
    server.add_channel("sms")
    return kit, sms, server, gate


@pytest.fixture
def settings() -> ServerSettings:
    return ServerSettings()


@pytest.fixture
def gated() -> bool:
    return False


@pytest.fixture
async def running(settings: ServerSettings, gated: bool) -> AsyncIterator[Running]:
    kit, sms, server, gate = make_server(settings, gated=gated)
    async with serve_app(server.app) as (url, _), httpx.AsyncClient(timeout=20) as client:
        yield Running(kit, sms, server, url, client, gate)
        gate.set()
    await kit.close()


async def test_a_signed_inbound_message_is_accepted_and_processed(running: Running) -> None:
    response = await running.post(running.sms.inbound_request(sender="+15550100", text="hello"))
    assert response.status_code == 200
    await running.until(lambda: running.server.health()["processed"] == 1)
    assert await running.inbound_texts() == ["hello"]


async def test_tampered_missing_and_replayed_signatures_are_403(running: Running) -> None:
    good = running.sms.inbound_request(sender="+15550100", text="pay 1")
    tampered = await running.client.post(
        running.url + "/webhooks/sms",
        content=good.body.replace(b"pay 1", b"pay 9"),
        headers=dict(good.headers),
    )
    unsigned_headers = {k: v for k, v in good.headers.items() if k != "x-roomkit-signature"}
    missing = await running.client.post(
        running.url + "/webhooks/sms", content=good.body, headers=unsigned_headers
    )
    old = running.sms.inbound_request(sender="+15550100", text="old", timestamp=1_000_000_000)
    replayed = await running.post(old)
    assert [r.status_code for r in (tampered, missing, replayed)] == [403, 403, 403]
    assert missing.json()["error"] == "signature"
    rejected = running.server.health()["rejected"]
    assert rejected["signature"] == 3
    assert rejected["by_reason"] == {
        "signature_invalid": 1,
        "signature_missing": 1,
        "signature_expired": 1,
    }
    assert running.server.health()["received"] == 0
    assert await running.inbound_texts() == []


@pytest.mark.parametrize("settings", [ServerSettings(max_body_bytes=512)])
async def test_oversized_bodies_are_413(running: Running) -> None:
    big = running.sms.inbound_request(sender="+15550100", text="x" * 600)
    declared = await running.post(big)
    assert declared.status_code == 413

    async def chunks() -> Any:  # no Content-Length: the streamed body is counted
        for _ in range(10):
            yield b"y" * 100

    streamed = await running.client.post(
        running.url + "/webhooks/sms", content=chunks(), headers=dict(big.headers)
    )
    assert streamed.status_code == 413
    assert running.server.health()["rejected"]["too_large"] == 2
    small = await running.post(running.sms.inbound_request(sender="+15550100", text="ok"))
    assert small.status_code == 200


async def test_malformed_signed_bodies_are_400(running: Running) -> None:
    not_json = running.sms.signed_request({"type": "message"})  # no sender
    response = await running.post(not_json)
    assert response.status_code == 400
    raw = running.sms.signed_request({})
    garbage = WebhookRequest(
        method="POST",
        url=raw.url,
        headers={**raw.headers, "x-roomkit-signature": ""},
        body=b"{not json",
    )
    from roomkit.messaging.signing import HmacSigner

    signed = dict(garbage.headers)
    signed.update({k.lower(): v for k, v in HmacSigner(SECRET).headers(b"{not json").items()})
    response = await running.client.post(
        running.url + "/webhooks/sms", content=b"{not json", headers=signed
    )
    assert response.status_code == 400
    assert running.server.health()["rejected"]["payload"] == 2


async def test_vendor_retries_are_processed_once(running: Running) -> None:
    request = running.sms.inbound_request(sender="+15550100", text="once", message_id="SM-1")
    first = await running.post(request)
    retry = await running.post(request)
    assert (first.status_code, retry.status_code) == (200, 200)
    batch = running.sms.signed_request(
        {
            "events": [
                {"type": "message", "id": "SM-1", "from": "+15550100", "text": "once"},
                {"type": "message", "id": "SM-2", "from": "+15550100", "text": "twice"},
                {"type": "message", "id": "SM-2", "from": "+15550100", "text": "twice"},
            ]
        }
    )
    assert (await running.post(batch)).status_code == 200
    await running.until(lambda: running.server.health()["processed"] == 2)
    health = running.server.health()
    assert health["duplicates"] == 3
    assert sorted(await running.inbound_texts()) == ["once", "twice"]


@pytest.mark.parametrize("settings", [ServerSettings(queue_size=2, workers=1)])
@pytest.mark.parametrize("gated", [True])
async def test_a_full_queue_answers_503_with_retry_after(running: Running) -> None:
    def request(n: int) -> WebhookRequest:
        return running.sms.inbound_request(sender="+15550100", text=f"m{n}", message_id=f"id-{n}")

    assert (await running.post(request(0))).status_code == 200
    await running.until(lambda: running.server.health()["queue_depth"] == 0)  # worker holds it
    assert (await running.post(request(1))).status_code == 200
    assert (await running.post(request(2))).status_code == 200
    full = await running.post(request(3))
    assert full.status_code == 503
    assert full.headers["retry-after"] == "5"
    assert running.server.health()["queue_depth"] == 2
    running.gate.set()
    await running.until(lambda: running.server.health()["processed"] == 3)
    retried = await running.post(request(3))  # the refused webhook was not remembered
    assert retried.status_code == 200
    await running.until(lambda: running.server.health()["processed"] == 4)
    assert sorted(await running.inbound_texts()) == ["m0", "m1", "m2", "m3"]
    assert running.server.health()["rejected"]["queue_full"] == 1


async def test_health_reports_the_queue_and_counters(running: Running) -> None:
    response = await running.client.get(running.url + "/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["queue_capacity"] == 1000
    assert body["workers"] == 4
    assert body["routes"] == ["/webhooks/sms"]
    for key in ("queue_depth", "received", "processed", "failed", "duplicates", "dropped"):
        assert body[key] == 0


async def test_unknown_routes_and_methods(running: Running) -> None:
    assert (await running.client.post(running.url + "/webhooks/nope")).status_code == 404
    assert (await running.client.get(running.url + "/webhooks/sms")).status_code == 405
    assert (await running.client.put(running.url + "/webhooks/sms")).status_code == 405


async def test_delivery_receipts_mark_the_event_delivered(running: Running) -> None:
    room = await running.kit.create_room()
    await running.kit.attach_channel(room.id, "sms", participant_id="+15550100")
    from roomkit.models.content import TextContent

    result = await running.kit.send_event(room.id, TextContent(body="your code is 1234"))
    assert result.event is not None
    channel = running.kit.get_channel("sms")
    message_id = channel.message_index.keys("sent:")[0][5:]  # type: ignore[attr-defined]
    response = await running.post(
        running.sms.status_request(message_id=message_id, status="delivered")
    )
    assert response.status_code == 200
    await running.until(lambda: running.server.health()["processed"] == 1)
    stored = await running.kit.get_event(result.event.id)
    assert stored is not None
    assert stored.delivery_results["sms"].status == DeliveryStatus.DELIVERED


async def test_failures_are_counted_and_never_log_bodies_or_secrets(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_text = "card 4111-1111-1111-1111"
    inbound = running.sms.inbound_request(sender="+15550100", text=secret_text)
    tampered = WebhookRequest(
        method="POST",
        url=inbound.url,
        headers=inbound.headers,
        body=inbound.body.replace(b"card", b"CARD"),
    )
    assert (await running.post(tampered)).status_code == 403
    broken = running.sms.signed_request({"type": "message", "from": "+1", "text": secret_text})

    async def exploding_router(message: Any) -> str | None:
        raise RuntimeError(f"boom while handling {message.content.body}")

    running.kit.room_router = exploding_router
    assert (await running.post(broken)).status_code == 200
    await running.until(lambda: running.server.health()["failed"] == 1)
    assert running.server.health()["failures"] == {"RuntimeError": 1}
    logged = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("roomkit", "uvicorn"))
    )
    assert "403" in logged
    assert "RuntimeError" in logged
    assert secret_text not in logged
    assert SECRET not in logged
    assert "x-roomkit-signature" not in logged.lower()


async def test_graceful_shutdown_drains_the_queue() -> None:
    kit, sms, server, gate = make_server(ServerSettings(workers=1), gated=True)
    async with (
        httpx.AsyncClient(timeout=20) as client,
        serve_app(server.app) as (url, uvicorn_server),
    ):
        for n in range(3):
            request = sms.inbound_request(sender="+15550100", text=f"d{n}")
            response = await client.post(
                url + "/webhooks/sms", content=request.body, headers=dict(request.headers)
            )
            assert response.status_code == 200
        assert server.health()["processed"] == 0
        uvicorn_server.should_exit = True
        async with asyncio.timeout(20):  # shutdown is waiting on the queue
            while server.health()["status"] != "draining":
                await asyncio.sleep(0.01)
        late = await server.app.router.routes[1].endpoint(_FakeRequest())  # type: ignore[attr-defined]
        assert late.status_code == 503
        gate.set()
    assert server.health()["processed"] == 3
    assert server.health()["dropped"] == 0
    assert server.health()["workers"] == 0
    timeline = []
    for room in await kit.list_rooms():
        timeline += [e.content.body for e in await kit.get_timeline(room.id)]  # type: ignore[union-attr]
    assert sorted(timeline) == ["d0", "d1", "d2"]
    await kit.close()


class _FakeRequest:
    """Enough of a Starlette request for a handler call while the server drains."""

    method = "POST"


async def test_shutdown_timeout_counts_dropped_items() -> None:
    kit, sms, server, gate = make_server(ServerSettings(workers=1), gated=True)
    await server.start()
    endpoint = server.routes[0].endpoint
    items = endpoint.parser.parse(sms.inbound_request(sender="+1", text="a"), "sms")
    items2 = endpoint.parser.parse(sms.inbound_request(sender="+1", text="b"), "sms")
    from roomkit_server.work import Job

    assert server._queue.offer([Job("sms", items[0]), Job("sms", items2[0])])
    assert not await server.shutdown(timeout=0.05)
    assert server.health()["dropped"] == 1  # one was being processed, one still queued
    gate.set()
    await kit.close()


async def test_mounted_inside_a_users_app() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    kit, sms, server, _ = make_server()

    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse("user app")

    app = Starlette(
        routes=[Route("/", home), Mount("/hooks", app=server.app)], lifespan=server.lifespan
    )
    async with serve_app(app) as (url, _), httpx.AsyncClient(timeout=20) as client:
        assert (await client.get(url + "/")).text == "user app"
        request = sms.inbound_request(sender="+15550100", text="via mount")
        response = await client.post(
            url + "/hooks/webhooks/sms", content=request.body, headers=dict(request.headers)
        )
        assert response.status_code == 200
        assert (await client.get(url + "/hooks/healthz")).json()["received"] == 1
        async with asyncio.timeout(20):
            while server.health()["processed"] < 1:
                await asyncio.sleep(0.01)
    assert server.health()["status"] == "draining"  # the user's lifespan drained it
    await kit.close()


async def test_handshake_and_custom_acknowledgement() -> None:
    class Verifier(WebhookVerifier):
        def verify(self, request: WebhookRequest) -> None:
            return None

    class Parser(WebhookParser):
        def parse(self, request: WebhookRequest, channel_id: str) -> list[Any]:
            return []

        def acknowledge(self, request: WebhookRequest, items: Any) -> WebhookReply:
            return WebhookReply(200, b"<Response/>", "text/xml")

        def handshake(self, request: WebhookRequest) -> WebhookReply | None:
            if request.query.get("hub.verify_token") == "tok":
                return WebhookReply(200, request.query.get("hub.challenge", "").encode())
            return WebhookReply(403, b"bad token")

    kit, _, server, _ = make_server()
    server.add_channel("sms", path="/meta", endpoints={"": WebhookEndpoint(Verifier(), Parser())})
    async with serve_app(server.app) as (url, _), httpx.AsyncClient(timeout=20) as client:
        ok = await client.get(
            url + "/meta", params={"hub.verify_token": "tok", "hub.challenge": "42"}
        )
        assert (ok.status_code, ok.text) == (200, "42")
        bad = await client.get(url + "/meta", params={"hub.verify_token": "no"})
        assert bad.status_code == 403
        posted = await client.post(url + "/meta", content=b"{}")
        assert (posted.status_code, posted.text) == (200, "<Response/>")
        assert posted.headers["content-type"].startswith("text/xml")
    await kit.close()


async def test_an_endpoint_listing_get_receives_get_webhooks() -> None:
    """Vendors that notify with GET (Elastic Email): verified and parsed, not a handshake."""

    class QueryToken(WebhookVerifier):
        def verify(self, request: WebhookRequest) -> None:
            if request.query.get("token") != "tok-123":
                raise WebhookSignatureError("bad token", reason="invalid")

    class QueryParser(WebhookParser):
        def parse(self, request: WebhookRequest, channel_id: str) -> list[Any]:
            return [
                DeliveryStatusUpdate(
                    provider="getter", message_id=request.query["id"], status="delivered"
                )
            ]

    kit, _, server, _ = make_server()
    endpoint = WebhookEndpoint(QueryToken(), QueryParser(), methods=("GET", "POST"))
    server.add_channel("sms", path="/notify", endpoints={"": endpoint})
    async with serve_app(server.app) as (url, _), httpx.AsyncClient(timeout=20) as client:
        ok = await client.get(url + "/notify", params={"token": "tok-123", "id": "m1"})
        forged = await client.get(url + "/notify", params={"token": "nope", "id": "m1"})
        assert (ok.status_code, forged.status_code) == (200, 403)
    assert server.health()["received"] == 1
    await kit.close()


async def test_a_provider_handler_crash_is_500() -> None:
    class Crashing(WebhookParser):
        def parse(self, request: WebhookRequest, channel_id: str) -> list[Any]:
            raise KeyError("bug")

    kit, sms, server, _ = make_server()
    verifier = sms.webhook_endpoints()[""].verifier
    server.add_channel("sms", path="/crash", endpoints={"": WebhookEndpoint(verifier, Crashing())})
    async with serve_app(server.app) as (url, _), httpx.AsyncClient(timeout=20) as client:
        request = sms.inbound_request(sender="+1", text="x")
        response = await client.post(
            url + "/crash", content=request.body, headers=dict(request.headers)
        )
        assert response.status_code == 500
    assert server.health()["rejected"]["error"] == 1
    await kit.close()


async def test_route_configuration_errors() -> None:
    kit, _, server, _ = make_server()
    with pytest.raises(ConfigurationError, match="two webhook routes"):
        server.add_channel("sms")
    assert server.describe().splitlines()[1].startswith("POST /webhooks/sms")
    _ = server.app
    with pytest.raises(ConfigurationError, match="before the app is built"):
        server.add_channel("sms", path="/other")
    plain = WebhookServer(kit)
    from roomkit.channels.http import HTTPChannel
    from roomkit.testing import MockHTTPProvider

    kit.register_channel(HTTPChannel("http", provider=MockHTTPProvider()))
    assert plain.add_channel("http") == []  # send-only provider: nothing mounted
    with pytest.raises(ConfigurationError, match="start with"):
        plain.add_channel("sms", path="relative")
    await kit.close()
