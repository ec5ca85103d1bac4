"""The kit supervises attached sources: restarts with backoff, gives up, reports, paces, bounds."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from roomkit import (
    ChannelNotRegisteredError,
    ConfigurationError,
    HookExecution,
    HookTrigger,
    InboundMessage,
    InboundResult,
    RateLimit,
    RateLimitedError,
    RoomKit,
    SourceAlreadyAttachedError,
    SourceHealth,
    SourceNotFoundError,
    SourceStatus,
    TextContent,
    WebSocketChannel,
)
from roomkit.sources import BaseSourceProvider, EmitCallback, backoff_delay
from roomkit.testing import MockSourceProvider
from roomkit_conformance.suites.source import eventually


@pytest.fixture
async def kit() -> Any:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("chat"))
    yield kit
    await kit.close()


async def stored(kit: RoomKit) -> list[str]:
    texts = []
    for room in await kit.list_rooms():
        for event in await kit.store.list_events(room.id, limit=1000):
            if isinstance(event.content, TextContent):
                texts.append(event.content.body)
    return texts


def observe(kit: RoomKit, *types: str) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    for event_type in types:
        kit.on(event_type)(lambda e: seen.append((e.type, dict(e.data))))
    return seen


async def test_attach_list_health_detach(kit: RoomKit) -> None:
    source = MockSourceProvider("chat")
    seen = observe(kit, "source_attached", "source_detached")
    await kit.attach_source("chat", source, restart_delay=0.01)
    await eventually(lambda: source.status == SourceStatus.CONNECTED, "connected")
    assert kit.list_sources() == {"chat": SourceStatus.CONNECTED}
    source.push({"id": "1", "text": "hi"})
    await eventually(lambda: source.acked, "the message acknowledged")
    health = await kit.source_health("chat")
    assert isinstance(health, SourceHealth)
    assert (health.status, health.messages_received) == (SourceStatus.CONNECTED, 1)
    assert health.metadata["delivered"] == 1
    await kit.detach_source("chat")
    assert kit.list_sources() == {}
    assert source.status == SourceStatus.STOPPED
    assert [t for t, _ in seen] == ["source_attached", "source_detached"]
    with pytest.raises(SourceNotFoundError, match="no source"):
        await kit.source_health("chat")
    with pytest.raises(SourceNotFoundError):
        await kit.detach_source("chat")


async def test_attach_refuses_what_it_cannot_run(kit: RoomKit) -> None:
    source = MockSourceProvider("chat")
    await kit.attach_source("chat", source)
    with pytest.raises(SourceAlreadyAttachedError, match="detach_source"):
        await kit.attach_source("chat", MockSourceProvider("chat"))
    kit.register_channel(WebSocketChannel("other"))
    with pytest.raises(SourceAlreadyAttachedError, match="another channel"):
        await kit.attach_source("other", source)
    with pytest.raises(ChannelNotRegisteredError, match="register_channel"):
        await kit.attach_source("nowhere", MockSourceProvider("nowhere"))
    with pytest.raises(ConfigurationError, match="SourceProvider"):
        await kit.attach_source("other", object())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_restart_delay"):
        await kit.attach_source(
            "other", MockSourceProvider(), restart_delay=10, max_restart_delay=1
        )
    with pytest.raises(ConfigurationError, match="rate_limit"):
        await kit.attach_source("other", MockSourceProvider(), rate_limit=-1)
    assert list(kit.list_sources()) == ["chat"]


async def test_failed_connections_are_retried_reported_and_counted(kit: RoomKit) -> None:
    source = MockSourceProvider("chat")
    source.fail_next_connects(3)
    stages: list[tuple[str, str]] = []

    @kit.hook(HookTrigger.ON_ERROR, execution=HookExecution.ASYNC)
    async def on_error(event: Any, ctx: Any) -> None:
        stages.append((ctx.metadata["stage"], ctx.room.id))
        assert ctx.metadata["details"]["channel_id"] == "chat"
        assert event.source.channel_id == "chat"

    seen = observe(kit, "source_error", "source_restarting")
    await kit.attach_source("chat", source, restart_delay=0.01, max_restart_delay=0.04)
    await eventually(lambda: source.status == SourceStatus.CONNECTED, "connected at last")
    await kit.hooks.drain()
    assert stages == [("source.start", "source:chat")] * 3
    restarting = [data for t, data in seen if t == "source_restarting"]
    assert [d["attempt"] for d in restarting] == [1, 2, 3]
    assert all(d["delay"] <= 0.04 for d in restarting)
    assert "ConnectionRefusedError" in restarting[0]["error"]
    health = await kit.source_health("chat")
    assert health.metadata["restarts"] == 3


async def test_gives_up_after_max_restart_attempts(kit: RoomKit) -> None:
    source = MockSourceProvider("chat")
    source.fail_next_connects(100)
    seen = observe(kit, "source_failed")
    await kit.attach_source("chat", source, restart_delay=0.001, max_restart_attempts=2)
    await eventually(lambda: seen, "source_failed")
    assert seen[0][1]["attempts"] == 3
    assert kit.list_sources() == {"chat": SourceStatus.ERROR}
    health = await kit.source_health("chat")
    assert health.status == SourceStatus.ERROR
    assert health.metadata["gave_up"] is True
    assert "connection refused" in (health.error or "")
    assert source.connects == 0


async def test_without_auto_restart_a_dropped_source_stays_down(kit: RoomKit) -> None:
    source = MockSourceProvider("chat")
    await kit.attach_source("chat", source, auto_restart=False)
    await eventually(lambda: source.status == SourceStatus.CONNECTED, "connected")
    source.disconnect()
    await eventually(lambda: source.status == SourceStatus.RECONNECTING, "dropped")
    source.push("lost?")
    await asyncio.sleep(0.05)  # nothing may happen; what matters is that nothing did
    assert source.connects == 1
    assert source.pending == 1  # kept by the "broker", not lost


async def test_a_poison_message_ends_in_giving_up_not_in_a_hot_loop(kit: RoomKit) -> None:
    # The source names a channel the kit does not know: processing fails every time.
    source = MockSourceProvider("unregistered")
    source.push({"id": "p", "text": "poison"})
    stages: list[str] = []
    kit.on("source_error")(lambda e: stages.append(e.data["stage"]))
    failed = observe(kit, "source_failed")
    await kit.attach_source("chat", source, restart_delay=0.001, max_restart_attempts=3)
    await eventually(lambda: failed, "source_failed")
    assert set(stages) == {"source.emit", "source.start"}
    assert source.pending == 1
    health = await kit.source_health("chat")
    assert health.metadata["emit_errors"] == 4
    assert health.metadata["delivered"] == 0


async def test_redelivered_messages_are_stored_once(kit: RoomKit) -> None:
    source = MockSourceProvider("chat")
    await kit.attach_source("chat", source, restart_delay=0.01)
    for n in range(20):
        source.push({"id": f"m{n}", "text": f"t{n}"})
        if n % 5 == 4:
            source.push({"id": f"m{n}", "text": f"t{n}"})  # the broker redelivers
            source.disconnect()
    await eventually(lambda: len(source.acked) == 24, "every delivery acknowledged")
    await eventually(lambda: source.connects == 5, "a reconnection after each of 4 drops")
    assert sorted(await stored(kit)) == sorted(f"t{n}" for n in range(20))


async def test_rate_limit_paces_messages(kit: RoomKit) -> None:
    source = MockSourceProvider("chat")
    await kit.attach_source("chat", source, rate_limit=RateLimit(max_per_second=20))
    loop = asyncio.get_running_loop()
    began = loop.time()
    for n in range(30):
        source.push({"id": str(n), "text": str(n)})
    await eventually(lambda: len(source.acked) == 30, "30 acknowledged")
    # 20 pass at once (the bucket's burst), the other 10 need half a second at 20/s
    assert loop.time() - began >= 0.45


class Burst(BaseSourceProvider):
    """Emits ``count`` messages at once (concurrently), then waits to be stopped."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.results: list[Any] = []

    async def start(self, emit: EmitCallback) -> None:
        self._begin()
        self._set_status(SourceStatus.CONNECTED)
        messages = [
            InboundMessage(channel_id="chat", sender_id="u", content=TextContent(body=str(n)))
            for n in range(self.count)
        ]
        self.results = await asyncio.gather(
            *(self._emit(emit, m) for m in messages), return_exceptions=True
        )
        await self._stopping.wait()


async def test_emits_are_bounded_in_flight_and_waiting(kit: RoomKit) -> None:
    release = asyncio.Event()
    entered = 0

    @kit.hook(HookTrigger.BEFORE_BROADCAST)
    async def slow(event: Any, ctx: Any) -> None:
        nonlocal entered
        entered += 1
        await release.wait()

    source = Burst(6)
    await kit.attach_source("chat", source, max_concurrent_emits=1, max_pending_emits=2)
    await eventually(lambda: entered == 1, "one message in the pipeline")
    health = await kit.source_health("chat")
    assert (health.metadata["waiting"], health.metadata["overflowed"]) == (2, 3)
    release.set()
    await eventually(lambda: len(source.results) == 6, "every emit answered")
    refused = [r for r in source.results if isinstance(r, RateLimitedError)]
    assert len(refused) == 3
    assert "max_pending_emits" in str(refused[0])
    assert sum(isinstance(r, InboundResult) for r in source.results) == 3
    assert len(await stored(kit)) == 3


async def test_close_stops_every_source() -> None:
    kit = RoomKit()
    for name in ("a", "b"):
        kit.register_channel(WebSocketChannel(name))
    sources = [MockSourceProvider("a"), MockSourceProvider("b")]
    await kit.attach_source("a", sources[0])
    await kit.attach_source("b", sources[1])
    await eventually(
        lambda: all(s.status == SourceStatus.CONNECTED for s in sources), "both connected"
    )
    await kit.close()
    assert [s.status for s in sources] == [SourceStatus.STOPPED] * 2
    assert kit.list_sources() == {}
    with pytest.raises(ConfigurationError, match="closed"):
        await kit.attach_source("a", MockSourceProvider("a"))


class Stubborn(BaseSourceProvider):
    """Ignores stop(): only cancellation ends it."""

    async def start(self, emit: EmitCallback) -> None:
        self._begin()
        self._set_status(SourceStatus.CONNECTED)
        await asyncio.Event().wait()


async def test_a_source_that_ignores_stop_is_cancelled_after_stop_timeout(kit: RoomKit) -> None:
    source = Stubborn()
    await kit.attach_source("chat", source, stop_timeout=0.05)
    await eventually(lambda: source.status == SourceStatus.CONNECTED, "connected")
    await kit.detach_source("chat")
    assert kit.list_sources() == {}


def test_restart_delays_grow_are_capped_and_jittered() -> None:
    rng = random.Random(7)
    for attempt, full in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 10.0), (500, 10.0)]:
        delays = {backoff_delay(attempt, 1.0, 10.0, rng) for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays)
        assert len(delays) > 40  # jittered, not one fixed value
    assert backoff_delay(3, 0.0, 0.0) == 0.0
