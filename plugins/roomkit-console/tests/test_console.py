"""The console over real sockets (uvicorn on 127.0.0.1, a ``websockets`` client): chat, the
live records, redaction, bounds, the loopback and origin guards, ``mount_console``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from roomkit_console import ConsoleApp, ConsoleMonitor, mount_console
from roomkit_console.cli import load_target
from roomkit_console.demo import DEMO_ROOM, HANDLER_REPLY, TRIAGE_REPLY, build_demo_kit
from roomkit_console.serialize import REDACTED, to_json
from roomkit_console.static_files import static_text
from roomkit_server import WebhookServer
from roomkit_server.testing import serve_app

from roomkit import EphemeralEvent, EphemeralEventType, RoomKit
from roomkit.errors import ConfigurationError

WAIT = 20.0


class Tab:
    """A console tab driven over the WebSocket, collecting what the server sends."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []

    async def send(self, **message: Any) -> None:
        await self.ws.send(json.dumps(message))

    async def wait_for(self, predicate: Any) -> dict[str, Any]:
        for message in self.seen:
            if predicate(message):
                return message
        async with asyncio.timeout(WAIT):
            while True:
                message = json.loads(await self.ws.recv())
                self.seen.append(message)
                if predicate(message):
                    return message

    async def record(self, kind: str, name: str, **match: Any) -> dict[str, Any]:
        def wanted(m: dict[str, Any]) -> bool:
            if m.get("type") != "record" or m["kind"] != kind or m["name"] != name:
                return False
            return all(_dig(m["data"], k) == v for k, v in match.items())

        return await self.wait_for(wanted)


def _dig(data: Any, path: str) -> Any:
    for part in path.split("__"):
        data = data.get(part) if isinstance(data, dict) else None
    return data


@pytest.fixture
async def demo() -> AsyncIterator[tuple[RoomKit, ConsoleApp, str]]:
    kit = await build_demo_kit()
    console = ConsoleApp(kit)
    async with serve_app(console.app) as (url, _):
        yield kit, console, url
    await console.close()
    await kit.close()


async def _tab(url: str, **kwargs: Any) -> Any:
    return websockets.connect(url.replace("http://", "ws://") + "/ws", **kwargs)


async def test_a_chat_shows_the_reply_the_tool_call_the_handoff_and_the_block(
    demo: tuple[RoomKit, ConsoleApp, str],
) -> None:
    kit, _, url = demo
    async with await _tab(url) as ws:
        tab = Tab(ws)
        await tab.send(op="rooms")
        rooms = await tab.wait_for(lambda m: m["type"] == "rooms")
        assert [r["id"] for r in rooms["rooms"]] == [DEMO_ROOM]
        await tab.send(op="join", room_id=DEMO_ROOM, sender_id="dev-1")
        joined = await tab.wait_for(lambda m: m["type"] == "joined")
        assert joined["channel_id"] == "ws-user"  # the room's own WebSocket channel
        assert "flag_card_numbers" in [h["name"] for h in joined["hooks"]]
        assert not any(h["name"].startswith("roomkit-console") for h in joined["hooks"])

        await tab.send(op="say", text="I need help")
        mine = await tab.record("event", "after_broadcast", content__body="I need help")
        assert mine["data"]["source"]["channel_id"] == "ws-user"
        start = await tab.record("tool", "tool_call_start", user_id="agent-triage")
        assert start["data"]["data"]["tool_calls"][0]["name"] == "handoff_conversation"
        await tab.record("tool", "tool_call_end")
        handoff = await tab.record("handoff", "on_handoff")
        assert handoff["data"]["content"]["data"]["to_agent_id"] == "agent-handler"
        await tab.record("handoff", "on_phase_transition")
        await tab.record("event", "after_broadcast", content__body=TRIAGE_REPLY)
        delivered = await tab.wait_for(
            lambda m: (
                m["type"] == "delivered" and m["payload"]["content"].get("body") == TRIAGE_REPLY
            )
        )
        assert delivered["payload"]["source"]["channel_id"] == "agent-triage"
        status = await tab.record("delivery", "on_delivery_status")
        assert status["data"]["metadata"]["delivery_result"]["status"] == "sent"

        await tab.send(op="say", text="Where is my order?")
        await tab.record("event", "after_broadcast", content__body=HANDLER_REPLY)

        await tab.send(op="say", text="card 4242 4242 4242 4242")
        blocked = await tab.record("framework", "event_blocked")
        assert blocked["data"]["blocked_by"] == "flag_card_numbers"
        result = await tab.wait_for(lambda m: m["type"] == "result" and m["blocked"])
        assert result["reason"] == "looks like a card number"

        await tab.send(op="typing", typing=True)
        typing = await tab.record("ephemeral", "typing_start")
        assert typing["data"]["user_id"] == "dev-1"

    timeline = await kit.get_timeline(DEMO_ROOM, limit=20)
    bodies = [getattr(e.content, "body", None) for e in timeline]
    assert TRIAGE_REPLY in bodies
    assert HANDLER_REPLY in bodies


async def test_bad_operations_are_reported_not_fatal(demo: tuple[RoomKit, ConsoleApp, str]) -> None:
    _, _, url = demo
    async with await _tab(url) as ws:
        tab = Tab(ws)
        await tab.send(op="say", text="hello")
        error = await tab.wait_for(lambda m: m["type"] == "error")
        assert "join a room first" in error["error"]
        await tab.send(op="join", room_id="no-such-room")
        error = await tab.wait_for(lambda m: m["type"] == "error" and "no-such-room" in m["error"])
        await tab.send(op="explode")
        await tab.wait_for(lambda m: m["type"] == "error" and "unknown op" in m["error"])
        await ws.send("not json")
        await tab.wait_for(lambda m: m["type"] == "error" and "Expecting value" in m["error"])
        await ws.send(b"\x00binary")
        await tab.wait_for(lambda m: m["type"] == "error" and "text frames" in m["error"])
        await ws.send(json.dumps({"op": "say", "text": "x" * 20_000}))
        await tab.wait_for(lambda m: m["type"] == "error" and "too large" in m["error"])
        await tab.send(op="rooms")  # the session still works
        await tab.wait_for(lambda m: m["type"] == "rooms")


async def test_a_room_without_a_websocket_channel_gets_the_console_channel() -> None:
    kit = RoomKit()
    await kit.create_room(room_id="bare")
    console = ConsoleApp(kit, console_channel="dev-console")
    async with serve_app(console.app) as (url, _), await _tab(url) as ws:
        tab = Tab(ws)
        await tab.send(op="join", room_id="bare")
        joined = await tab.wait_for(lambda m: m["type"] == "joined")
        assert joined["channel_id"] == "dev-console"
        await tab.send(op="say", text="anyone?")
        await tab.record("event", "after_broadcast", content__body="anyone?")
    assert [b.channel_id for b in await kit.list_bindings("bare")] == ["dev-console"]
    await console.close()
    await kit.close()


async def test_the_page_refuses_other_hosts_and_other_origins(
    demo: tuple[RoomKit, ConsoleApp, str],
) -> None:
    _kit, console, url = demo
    async with httpx.AsyncClient() as client:
        page = await client.get(url + "/")
        assert page.status_code == 200
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert (await client.get(url + "/static/console.js")).status_code == 200
    remote = httpx.ASGITransport(app=console.app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(transport=remote, base_url="http://console") as client:
        assert (await client.get("/")).status_code == 403
        assert (await client.get("/api/rooms")).status_code == 403
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with await _tab(url, origin="http://evil.example"):
            pass
    async with await _tab(url, origin=url) as ws:  # the page's own origin is fine
        await ws.send(json.dumps({"op": "rooms"}))
        assert json.loads(await ws.recv())["type"] == "rooms"


async def test_allow_remote_opens_the_console_to_other_hosts() -> None:
    kit = RoomKit()
    console = ConsoleApp(kit, allow_remote=True)
    remote = httpx.ASGITransport(app=console.app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(transport=remote, base_url="http://console") as client:
        assert (await client.get("/")).status_code == 200
    await console.close()
    await kit.close()


async def test_secrets_are_redacted_and_sizes_bounded() -> None:
    value = {
        "api_key": "sk-live-123",
        "Authorization": "Bearer abc",
        "nested": {"auth_token": "t0k", "password": "hunter2", "fine": "visible"},
        "long": "x" * 5000,
        "many": list(range(500)),
        "raw": b"\x00" * 10,
    }
    out = to_json(value)
    assert out["api_key"] == out["Authorization"] == REDACTED
    assert out["nested"] == {"auth_token": REDACTED, "password": REDACTED, "fine": "visible"}
    assert len(out["long"]) < 2100
    assert out["long"].endswith("more characters]")
    assert len(out["many"]) == 101
    assert out["raw"] == "[10 bytes]"
    assert "sk-live" not in json.dumps(out)


async def test_a_slow_tab_loses_its_oldest_records_not_memory() -> None:
    kit = RoomKit()
    await kit.create_room(room_id="r")
    monitor = ConsoleMonitor(kit, queue_size=3, backlog=2)
    monitor.start()
    subscription = await monitor.subscribe("r")
    for n in range(10):
        monitor.publish("hook", "custom", "r", {"n": n})
    assert subscription.queue.qsize() == 3
    assert subscription.dropped == 7
    assert [(await subscription.get())["data"]["n"] for _ in range(3)] == [7, 8, 9]
    late = await monitor.subscribe("r")  # the backlog keeps the last two
    assert [(await late.get())["data"]["n"] for _ in range(2)] == [8, 9]
    await kit.realtime.publish_to_room(
        "r", EphemeralEvent(room_id="r", type=EphemeralEventType.CUSTOM, data={"token": "x"})
    )
    async with asyncio.timeout(WAIT):
        record = await subscription.get()
    assert record["kind"] == "ephemeral"
    assert record["data"]["data"]["token"] == REDACTED
    await monitor.unsubscribe(subscription)
    await monitor.unsubscribe(late)
    assert monitor.watchers("r") == 0
    await monitor.stop()
    assert not [r for r in kit.hooks.registrations() if r.name.startswith("roomkit-console")]
    # the framework-event observers are gone too
    assert not kit.off("event_processed", monitor._on_framework_event)
    await kit.close()


async def test_two_consoles_on_one_kit_do_not_replace_each_other() -> None:
    kit = RoomKit()
    await kit.create_room(room_id="r")
    first, second = ConsoleMonitor(kit), ConsoleMonitor(kit)
    first.start()
    second.start()
    watching = [await first.subscribe("r"), await second.subscribe("r")]
    await first.stop()
    await kit.close_room("r")  # ON_ROOM_CLOSED for room r
    async with asyncio.timeout(WAIT):
        while True:
            record = await watching[1].get()
            if record["name"] == "on_room_closed":
                break
    assert watching[0].queue.empty()  # the stopped monitor feeds nobody
    await second.stop()
    await kit.close()


async def test_bounds_are_checked() -> None:
    with pytest.raises(ConfigurationError):
        ConsoleMonitor(RoomKit(), queue_size=0)


async def test_mount_console_in_the_webhook_server() -> None:
    kit = RoomKit()
    await kit.create_room(room_id="served")
    server = WebhookServer(kit)
    console = mount_console(server)
    async with serve_app(server.app) as (url, _), httpx.AsyncClient() as client:
        assert (await client.get(url + "/healthz")).status_code == 200
        page = await client.get(url + "/console/")
        assert page.status_code == 200
        assert "RoomKit console" in page.text
        assert (await client.get(url + "/console/static/console.js")).status_code == 200
        bare = await client.get(url + "/console")  # the page's relative URLs need the slash
        assert bare.status_code in (307, 308)
        assert bare.headers["location"].endswith("/console/")
        rooms = await client.get(url + "/console/api/rooms")
        assert rooms.json() == [{"id": "served", "status": "active"}]
        async with websockets.connect(url.replace("http", "ws") + "/console/ws") as ws:
            await ws.send(json.dumps({"op": "rooms"}))
            assert json.loads(await ws.recv())["rooms"][0]["id"] == "served"
    await console.close()
    await kit.close()
    with pytest.raises(ConfigurationError):
        mount_console(object(), kit)


def test_the_page_loads_nothing_from_elsewhere() -> None:
    for name in ("index.html", "console.js", "console.css"):
        text = static_text(name)
        assert "://" not in text, name  # no CDN, no remote font: everything is relative


async def test_load_target_accepts_a_kit_or_a_factory(tmp_path: Path) -> None:
    app = tmp_path / "myapp.py"
    app.write_text(
        "from roomkit import RoomKit\n"
        "kit = RoomKit()\n"
        "async def make():\n    return RoomKit()\n"
        "other = 42\n",
        encoding="utf-8",
    )
    assert isinstance(await load_target(f"{app}:kit"), RoomKit)
    assert isinstance(await load_target(f"{app}:make"), RoomKit)
    for bad in (f"{app}:other", f"{app}:missing", "no_colon", f"{tmp_path}/nope.py:kit"):
        with pytest.raises(ConfigurationError):
            await load_target(bad)


def test_roomkit_console_demo_serves_the_page_on_loopback() -> None:
    import subprocess
    import sys
    import time

    from roomkit_server.testing import free_port

    port = free_port()
    roomkit = Path(sys.executable).parent / "roomkit"
    process = subprocess.Popen(
        [str(roomkit), "console", "--demo", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + WAIT
        with httpx.Client() as client:
            while True:
                try:
                    rooms = client.get(f"http://127.0.0.1:{port}/api/rooms")
                    break
                except httpx.ConnectError:
                    assert process.poll() is None, process.communicate()[1]
                    assert time.monotonic() < deadline, "roomkit console did not start"
                    time.sleep(0.1)
        assert rooms.json() == [{"id": DEMO_ROOM, "status": "active"}]
    finally:
        process.terminate()
        _, err = process.communicate(timeout=WAIT)
    assert f"roomkit console: http://127.0.0.1:{port}/" in err
