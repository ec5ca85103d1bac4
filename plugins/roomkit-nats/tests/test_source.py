"""NATSSource against the real NATS server (JetStream, a unique stream per test): the
conformance suite, then at-least-once end to end through drops, stalls, garbage, kit failures
and a crash between storing and acknowledging, counting what reaches the store."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import nats.js.errors
import pytest
import pytest_asyncio
from nats.aio.msg import Msg
from roomkit_nats import NATSSource
from roomkit_nats.testing import JetStreamFixture, conformance_source

from roomkit import (
    ConfigurationError,
    HookExecution,
    HookTrigger,
    RoomKit,
    SourceStatus,
    WebSocketChannel,
)
from roomkit_conformance.suites.source import (
    SourceHarness,
    SourceProviderSuite,
    eventually,
    stored_at_least,
    stored_texts,
)


class TestNATSSource(SourceProviderSuite):
    capabilities: ClassVar[frozenset[str]] = frozenset({"reconnects", "rejects_garbage"})

    @pytest_asyncio.fixture
    async def component(self) -> AsyncIterator[SourceHarness]:
        async for harness in conformance_source():
            yield harness


@pytest_asyncio.fixture
async def js() -> AsyncIterator[JetStreamFixture]:
    fixture = await JetStreamFixture.open()
    yield fixture
    await fixture.close()


@pytest_asyncio.fixture
async def kit() -> AsyncIterator[RoomKit]:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("nats"))
    yield kit
    await kit.close()


async def pending(js: JetStreamFixture, durable: str = "roomkit") -> int:
    """Messages of the stream the consumer has not had acknowledged (-1: no consumer yet)."""
    try:
        info = await js.js.consumer_info(js.stream, durable)
    except nats.js.errors.NotFoundError:
        return -1
    return int(info.num_ack_pending) + int(info.num_pending)


async def drained(js: JetStreamFixture, durable: str = "roomkit") -> bool:
    return await pending(js, durable) == 0


async def test_drops_stalls_and_garbage_lose_and_duplicate_nothing(
    js: JetStreamFixture, kit: RoomKit
) -> None:
    stages: list[str] = []

    @kit.hook(HookTrigger.ON_ERROR, execution=HookExecution.ASYNC)
    async def on_error(event: Any, ctx: Any) -> None:
        stages.append(ctx.metadata["stage"])

    for n in range(20):  # published before the source exists: the consumer starts at the top
        await js.publish(f"id-{n}", f"msg {n}")
    # a message in flight on a stalled connection comes back after ack_wait
    source = js.source("nats", max_outstanding_pings=1, ping_interval=0.3, ack_wait=2.0)
    await kit.attach_source("nats", source, restart_delay=0.05, max_restart_delay=0.2)
    await eventually(lambda: stored_at_least(kit, 20), "20 stored")
    js.proxy.drop()  # the network drops; JetStream keeps what is published meanwhile
    for n in range(20, 30):
        await js.publish(f"id-{n}", f"msg {n}")
    await eventually(lambda: stored_at_least(kit, 30), "30 stored after the reconnection")
    await js.garbage()
    await js.publish("id-30", "msg 30")
    await eventually(lambda: stored_at_least(kit, 31), "31 stored")
    js.proxy.stall()  # the server hangs: the client's pings notice
    for n in range(31, 40):
        await js.publish(f"id-{n}", f"msg {n}")
    await js.publish("id-5", "msg 5")  # the publisher sends one twice
    await eventually(lambda: stored_at_least(kit, 40), "40 stored after the stall")
    await eventually(lambda: drained(js), "every message acknowledged")
    assert sorted(await stored_texts(kit)) == sorted(f"msg {n}" for n in range(40))
    assert source.terminated >= 1  # (again if the term was sent on the stalled connection)
    # 40 stored + the duplicate, acknowledged as already stored; more when acks sent on the
    # stalled connection were lost and JetStream redelivered (stored once all the same)
    assert source.acked >= 41
    assert js.proxy.connections >= 3
    health = await kit.source_health("nats")
    assert health.status == SourceStatus.CONNECTED
    assert health.metadata["rejected"] >= 1
    await kit.hooks.drain()
    assert "source.parse" in stages


class CrashBeforeAck(NATSSource):
    """Dies (never acknowledges) after the kit stored the first delivery of each message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crashed: set[int] = set()

    async def _ack(self, msg: Msg) -> None:
        key = msg.metadata.sequence.stream
        if key not in self.crashed:
            self.crashed.add(key)
            return  # the process "died" between storing and acknowledging
        await super()._ack(msg)


async def test_a_crash_between_store_and_ack_is_redelivered_and_stored_once(
    js: JetStreamFixture, kit: RoomKit
) -> None:
    results: list[bool] = []
    kit.on("event_processed")(lambda e: results.append(True))
    for n in range(5):
        await js.publish(f"c{n}", f"crash {n}")
    source = CrashBeforeAck(js.proxied_url, "nats", js.subject, stream=js.stream, ack_wait=1.0)
    await kit.attach_source("nats", source)
    await eventually(lambda: drained(js), "every message acknowledged at its redelivery")
    assert source.acked >= 5
    assert source.redelivered >= 5
    assert sorted(await stored_texts(kit)) == [f"crash {n}" for n in range(5)]
    assert await pending(js) == 0


async def test_a_kit_failure_naks_and_the_message_comes_back(
    js: JetStreamFixture, kit: RoomKit
) -> None:
    # The messages name a channel the kit does not know yet: processing fails, nak, redelivery.
    source = js.source("ghost", nak_delay=0.1)
    await kit.attach_source("nats", source)
    await js.publish("g1", "late")
    await eventually(lambda: source.naked >= 2, "two failed deliveries")
    assert await stored_texts(kit) == []
    kit.register_channel(WebSocketChannel("ghost"))
    await eventually(lambda: stored_at_least(kit, 1), "the message stored once the channel exists")
    await eventually(lambda: drained(js), "acknowledged")
    assert await stored_texts(kit) == ["late"]
    health = await kit.source_health("nats")
    assert health.metadata["emit_errors"] >= 2
    assert health.metadata["restarts"] == 0  # the source kept running


async def test_content_the_kit_refuses_for_good_is_terminated(js: JetStreamFixture) -> None:
    kit = RoomKit(max_payload_bytes=200)
    kit.register_channel(WebSocketChannel("nats"))
    source = js.source("nats")
    await kit.attach_source("nats", source)
    await js.publish("big", "x" * 1000)
    await js.publish("ok", "fits")
    await eventually(lambda: stored_at_least(kit, 1), "the message that fits")
    await eventually(lambda: drained(js), "both settled")
    assert (source.terminated, source.naked, source.acked) == (1, 0, 1)
    assert await stored_texts(kit) == ["fits"]
    await kit.close()


async def test_a_restarted_source_resumes_from_its_durable_consumer(
    js: JetStreamFixture, kit: RoomKit
) -> None:
    # A message the server hands to the stopping source's last pull request (the close races
    # the publishes below) is redelivered only after ack_wait: keep it well under the patience.
    await kit.attach_source("nats", js.source("nats", durable="resume", ack_wait=2.0))
    for n in range(10):
        await js.publish(f"r{n}", f"r {n}")
    await eventually(lambda: stored_at_least(kit, 10), "10 stored")
    await kit.detach_source("nats")
    for n in range(10, 20):  # published while nothing consumes
        await js.publish(f"r{n}", f"r {n}")
    await kit.attach_source("nats", js.source("nats", durable="resume", ack_wait=2.0))
    await eventually(lambda: stored_at_least(kit, 20), "20 stored")
    await eventually(lambda: drained(js, "resume"), "acknowledged")
    assert sorted(await stored_texts(kit)) == sorted(f"r {n}" for n in range(20))


async def test_publisher_msg_id_or_sequence_is_the_idempotency_key(js: JetStreamFixture) -> None:
    got: list[Any] = []

    async def emit(message: Any) -> Any:
        got.append(message)

    source = js.source("nats")
    task = asyncio.create_task(source.start(emit))
    await js.publish_raw(b'{"text": "a"}', headers={"Nats-Msg-Id": "pub-1"})
    await js.publish_raw(b'{"text": "b"}')
    await eventually(lambda: len(got) == 2, "two messages")
    assert got[0].idempotency_key == "pub-1"
    assert got[1].idempotency_key == f"{js.stream}:2"
    await source.stop()
    await asyncio.wait_for(task, 10)
    assert source.status == SourceStatus.STOPPED


async def test_an_unreachable_server_is_retried_then_given_up(kit: RoomKit) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    failed: list[Any] = []
    kit.on("source_failed")(failed.append)
    source = NATSSource(f"nats://127.0.0.1:{port}", "nats", "x", connect_timeout=0.2)
    await kit.attach_source("nats", source, restart_delay=0.01, max_restart_attempts=1)
    await eventually(lambda: bool(failed), "the kit giving up")
    health = await kit.source_health("nats")
    assert health.status == SourceStatus.ERROR
    assert health.metadata["restarts"] == 1


async def test_an_unreachable_server_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ROOMKIT_NATS_URL", f"nats://127.0.0.1:{port}")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required service unavailable"):
        await JetStreamFixture.open()


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="nats://"):
        NATSSource("http://x", "c", "s")
    with pytest.raises(ConfigurationError, match="batch"):
        NATSSource("nats://x:4222", "c", "s", batch=0)
