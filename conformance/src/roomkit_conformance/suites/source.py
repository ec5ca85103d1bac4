"""The event-source conformance suite.

Subclass :class:`SourceProviderSuite` and provide a ``component`` fixture yielding a
:class:`SourceHarness`: a fresh source plus the remote side it connects to (a local server
speaking the source's protocol), which the suite drives to send messages, drop the
connection and send garbage. The suite checks the contract (status, health, ``start`` /
``stop``) and then attaches the source to a real :class:`~roomkit.RoomKit` and counts what
reaches the store: nothing lost, nothing duplicated.

Capabilities:

- ``reconnects``: after the remote side drops the connection, the source connects again
  (``start`` ends and the kit restarts it, or its client reconnects by itself) and delivers
  what was sent afterwards.
- ``rejects_garbage``: a payload the source cannot parse is reported (``rejected`` in its
  health, a ``source.parse`` failure to ``ON_ERROR``) and skipped; the next message arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from roomkit.channels.websocket import WebSocketChannel
from roomkit.core.framework import RoomKit
from roomkit.models.content import TextContent
from roomkit.models.enums import HookExecution, HookTrigger
from roomkit.models.event import InboundMessage, InboundResult
from roomkit.sources.base import SourceHealth, SourceProvider, SourceStatus
from roomkit_conformance.base import SuiteBase, requires

__all__ = ["SourceHarness", "SourceProviderSuite", "eventually", "stored_at_least", "stored_texts"]

#: Upper bound for anything the suite waits for (never a sleep that must be long enough).
PATIENCE = 15.0


@dataclass
class SourceHarness:
    """A source and the remote side it connects to.

    ``send(id, text)``: the remote side delivers one message with that text, whose id the
    source turns into the message's ``idempotency_key``. ``disconnect()``: the remote side drops
    every connection (capability ``reconnects``). ``send_garbage()``: the remote side sends a
    payload the source cannot parse (capability ``rejects_garbage``). ``channel_id``: the
    channel the source's messages name. ``connections()``: how many connections the remote
    side has accepted, for sources whose client reconnects by itself (a NATS client): after a
    disconnect the suite waits for a new connection instead of for the kit restarting the
    source.
    """

    source: SourceProvider
    channel_id: str
    send: Callable[[str, str], Awaitable[None]]
    disconnect: Callable[[], Awaitable[None]] | None = None
    send_garbage: Callable[[], Awaitable[None]] | None = None
    connections: Callable[[], int] | None = None


async def eventually(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool], what: str, timeout: float = PATIENCE
) -> None:
    """Wait until ``check()`` is true; fail naming ``what`` after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        outcome = check()
        if isinstance(outcome, Awaitable):
            outcome = await outcome
        if outcome:
            return
        if loop.time() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)


class _Recorder:
    """An ``emit`` callback that keeps what it was given."""

    def __init__(self) -> None:
        self.messages: list[InboundMessage] = []

    async def __call__(self, message: InboundMessage) -> InboundResult:
        self.messages.append(message)
        return InboundResult()

    def texts(self) -> list[str]:
        return [m.content.body for m in self.messages if isinstance(m.content, TextContent)]


async def stored_texts(kit: RoomKit) -> list[str]:
    """The bodies of every text event the kit's store holds, room after room."""
    texts: list[str] = []
    for room in await kit.list_rooms(limit=1000):
        for event in await kit.store.list_events(room.id, limit=10_000):
            if isinstance(event.content, TextContent):
                texts.append(event.content.body)
    return texts


async def stored_at_least(kit: RoomKit, expected: int) -> bool:
    """Whether the kit's store holds ``expected`` text events or more (for :func:`eventually`)."""
    return len(await stored_texts(kit)) >= expected


class SourceProviderSuite(SuiteBase):
    """Conformance tests every :class:`SourceProvider` plugin must pass."""

    @pytest.fixture
    def harness(self, component: Any) -> SourceHarness:
        """The harness under test."""
        assert isinstance(component, SourceHarness), "the component fixture yields a SourceHarness"
        return component

    @pytest_asyncio.fixture
    async def kit(self, harness: SourceHarness) -> AsyncIterator[RoomKit]:
        """A kit with a channel of the source's channel id registered; closed afterwards."""
        kit = RoomKit()
        kit.register_channel(WebSocketChannel(harness.channel_id))
        yield kit
        await kit.close()

    @contextlib.asynccontextmanager
    async def _running(
        self, source: SourceProvider, emit: _Recorder
    ) -> AsyncIterator[asyncio.Task[None]]:
        task = asyncio.create_task(source.start(emit))
        try:
            yield task
        finally:
            await source.stop()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(PATIENCE):
                    await asyncio.gather(task, return_exceptions=True)
            if not task.done():
                task.cancel()
                pytest.fail("start() did not return within the patience after stop()")

    # -- the contract -------------------------------------------------------------------------
    def test_has_a_name(self, harness: SourceHarness) -> None:
        assert isinstance(harness.source.name, str)
        assert harness.source.name.strip()

    @pytest.mark.asyncio
    async def test_is_stopped_before_start(self, harness: SourceHarness) -> None:
        assert harness.source.status == SourceStatus.STOPPED
        health = await harness.source.healthcheck()
        assert isinstance(health, SourceHealth)
        assert health.status == SourceStatus.STOPPED
        assert health.messages_received == 0

    @pytest.mark.asyncio
    async def test_stop_before_start_and_twice_is_harmless(self, harness: SourceHarness) -> None:
        await harness.source.stop()
        await harness.source.stop()
        assert harness.source.status == SourceStatus.STOPPED

    @pytest.mark.asyncio
    async def test_messages_reach_emit_in_order(self, harness: SourceHarness) -> None:
        recorder = _Recorder()
        async with self._running(harness.source, recorder):
            await eventually(
                lambda: harness.source.status == SourceStatus.CONNECTED, "status CONNECTED"
            )
            for n in range(5):
                await harness.send(f"m{n}", f"hello {n}")
            await eventually(lambda: len(recorder.messages) >= 5, "5 messages emitted")
            assert recorder.texts() == [f"hello {n}" for n in range(5)]
            assert all(m.channel_id == harness.channel_id for m in recorder.messages)
            assert [m.idempotency_key for m in recorder.messages] == [f"m{n}" for n in range(5)]
            health = await harness.source.healthcheck()
            assert health.status == SourceStatus.CONNECTED
            assert health.messages_received == 5
            assert health.connected_at is not None
            assert health.last_message_at is not None

    @pytest.mark.asyncio
    async def test_stop_ends_start_and_marks_stopped(self, harness: SourceHarness) -> None:
        recorder = _Recorder()
        async with self._running(harness.source, recorder) as task:
            await eventually(
                lambda: harness.source.status == SourceStatus.CONNECTED, "status CONNECTED"
            )
            await harness.source.stop()
            await eventually(task.done, "start() to return after stop()")
        assert harness.source.status == SourceStatus.STOPPED

    @pytest.mark.asyncio
    async def test_cancelling_start_ends_it(self, harness: SourceHarness) -> None:
        task = asyncio.create_task(harness.source.start(_Recorder()))
        await eventually(
            lambda: harness.source.status == SourceStatus.CONNECTED, "status CONNECTED"
        )
        task.cancel()
        await eventually(task.done, "start() to end after cancellation")
        await harness.source.stop()
        assert harness.source.status == SourceStatus.STOPPED

    # -- attached to a kit ----------------------------------------------------------------------
    @pytest.mark.asyncio
    async def test_attached_messages_are_stored_once(
        self, harness: SourceHarness, kit: RoomKit
    ) -> None:
        await kit.attach_source(harness.channel_id, harness.source, restart_delay=0.05)
        await eventually(
            lambda: harness.source.status == SourceStatus.CONNECTED, "status CONNECTED"
        )
        for n in range(10):
            await harness.send(f"k{n}", f"stored {n}")
        await eventually(lambda: self._count(kit, 10), "10 events in the store", timeout=PATIENCE)
        assert sorted(await stored_texts(kit)) == sorted(f"stored {n}" for n in range(10))
        health = await kit.source_health(harness.channel_id)
        assert health.metadata["emitted"] == 10
        assert kit.list_sources() == {harness.channel_id: SourceStatus.CONNECTED}
        await kit.detach_source(harness.channel_id)
        assert harness.source.status == SourceStatus.STOPPED
        assert kit.list_sources() == {}

    async def _count(self, kit: RoomKit, expected: int) -> bool:
        return len(await stored_texts(kit)) >= expected

    @requires("reconnects")
    @pytest.mark.asyncio
    async def test_kit_restarts_it_after_a_disconnect(
        self, harness: SourceHarness, kit: RoomKit
    ) -> None:
        assert harness.disconnect is not None, "claims reconnects but has no disconnect()"
        await kit.attach_source(harness.channel_id, harness.source, restart_delay=0.05)
        await eventually(
            lambda: harness.source.status == SourceStatus.CONNECTED, "status CONNECTED"
        )
        for n in range(3):
            await harness.send(f"a{n}", f"before {n}")
        await eventually(lambda: self._count(kit, 3), "3 events before the drop")
        count = harness.connections
        before = count() if count is not None else 0
        await harness.disconnect()

        async def reconnected() -> bool:
            health = await kit.source_health(harness.channel_id)
            if health.status != SourceStatus.CONNECTED:
                return False
            if count is not None:
                return count() > before
            return bool(health.metadata["restarts"] >= 1)

        await eventually(reconnected, "a new connection")
        for n in range(3):
            await harness.send(f"b{n}", f"after {n}")
        await eventually(lambda: self._count(kit, 6), "6 events after the restart")
        texts = await stored_texts(kit)
        assert sorted(texts) == sorted(
            [f"before {n}" for n in range(3)] + [f"after {n}" for n in range(3)]
        )

    @requires("rejects_garbage")
    @pytest.mark.asyncio
    async def test_garbage_is_reported_and_skipped(
        self, harness: SourceHarness, kit: RoomKit
    ) -> None:
        assert harness.send_garbage is not None, "claims rejects_garbage but has no send_garbage()"
        stages: list[str] = []

        @kit.hook(HookTrigger.ON_ERROR, execution=HookExecution.ASYNC)
        async def on_error(event: Any, ctx: Any) -> None:
            stages.append(ctx.metadata["stage"])

        await kit.attach_source(harness.channel_id, harness.source, restart_delay=0.05)
        await eventually(
            lambda: harness.source.status == SourceStatus.CONNECTED, "status CONNECTED"
        )
        await harness.send("g0", "first")
        await harness.send_garbage()
        await harness.send("g1", "second")
        await eventually(lambda: self._count(kit, 2), "both valid messages stored")
        await eventually(lambda: "source.parse" in stages, "a source.parse ON_ERROR")
        assert sorted(await stored_texts(kit)) == ["first", "second"]
        health = await kit.source_health(harness.channel_id)
        assert health.metadata["rejected"] >= 1
