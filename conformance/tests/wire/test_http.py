"""The WireServer base: recording, scripted faults, sync and async clients, real sockets."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request

import httpx
import pytest

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer


class EchoWire(WireServer):
    def handle(self, request: RecordedRequest) -> WireResponse:
        if request.path == "/echo":
            return WireResponse.json({"method": request.method, "body": request.text()}, status=201)
        return super().handle(request)


def test_sync_clients_and_the_journal() -> None:
    with EchoWire() as wire:
        data = json.dumps({"a": 1}).encode()
        req = urllib.request.Request(
            wire.url + "/echo?x=1&x=2", data=data, headers={"X-Token": "t"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=5) as response:
            assert response.status == 201
            assert json.loads(response.read()) == {"method": "POST", "body": '{"a": 1}'}
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(wire.url + "/nope", timeout=5)
        assert missing.value.code == 404
        (first, second) = wire.requests
        assert first.path == "/echo"
        assert first.query == {"x": ["1", "2"]}
        assert first.headers["x-token"] == "t"
        assert first.json() == {"a": 1}
        assert second.method == "GET"
        wire.reset()
        assert wire.requests == []


async def test_scripted_faults_then_normal_answers() -> None:
    async with EchoWire() as wire, httpx.AsyncClient(timeout=5) as client:
        wire.fail(429, retry_after=7, times=2)
        wire.fail(500, body={"code": "oops"})
        answers = [await client.post(wire.url + "/echo", content=b"x") for _ in range(4)]
        assert [a.status_code for a in answers] == [429, 429, 500, 201]
        assert answers[0].headers["retry-after"] == "7"
        assert answers[2].json() == {"code": "oops"}
        assert len(await wire.wait_for_requests(4)) == 4


async def test_hang_makes_clients_time_out_and_stop_releases_it() -> None:
    wire = EchoWire().start()
    try:
        wire.hang(30)
        async with httpx.AsyncClient(timeout=0.5) as client:
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                await client.post(wire.url + "/echo", content=b"slow")
            assert time.monotonic() - started < 10
            answer = await client.post(wire.url + "/echo", content=b"fast")
            assert answer.status_code == 201
    finally:
        started = time.monotonic()
        await asyncio.to_thread(wire.stop)
        assert time.monotonic() - started < 10  # the hung handler was released


async def test_drop_closes_the_connection() -> None:
    async with EchoWire() as wire, httpx.AsyncClient(timeout=5) as client:
        wire.drop()
        with pytest.raises(httpx.TransportError):
            await client.post(wire.url + "/echo", content=b"x")
        assert (await client.post(wire.url + "/echo", content=b"x")).status_code == 201


async def test_many_concurrent_connections() -> None:
    async with EchoWire() as wire:
        async with httpx.AsyncClient(timeout=10) as client:
            answers = await asyncio.gather(
                *(client.post(wire.url + "/echo", content=str(n).encode()) for n in range(50))
            )
        assert all(a.status_code == 201 for a in answers)
        assert sorted(int(r.text()) for r in wire.requests) == list(range(50))


def test_url_needs_a_started_server() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = EchoWire().url
    with pytest.raises(TimeoutError):
        asyncio.run(EchoWire().start().wait_for_requests(1, timeout=0.05))
