"""Conformance suite for :class:`roomkit.realtime.base.RealtimeBackend` implementations.

Subclass :class:`RealtimeBackendSuite` and provide an async ``component`` fixture. Backends
shared between processes claim ``"cross_process"`` and provide ``second_component``: a second
instance connected to the same broker (its own connections, as another process would have);
events published through one must reach subscribers of the other.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from roomkit.models.enums import EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit.realtime.base import RealtimeBackend
from roomkit_conformance.base import SuiteBase, requires

__all__ = ["Collector", "RealtimeBackendSuite"]

#: Bound of every wait for an event (returns as soon as it arrived; generous for loaded CI).
_WAIT = 30.0
_QUIET = 0.3


class Collector:
    """An ephemeral-event callback that remembers what it received and can wait for more."""

    def __init__(self, *, fail: bool = False) -> None:
        self.events: list[EphemeralEvent] = []
        self.fail = fail
        self._changed = asyncio.Event()

    async def __call__(self, event: EphemeralEvent) -> None:
        self.events.append(event)
        self._changed.set()
        if self.fail:
            raise RuntimeError("subscriber callback failed on purpose")

    async def wait_for(self, count: int, timeout: float = _WAIT) -> list[EphemeralEvent]:
        """Wait until ``count`` events arrived; fails the test after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.events) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"expected {count} events, received {len(self.events)}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                continue
        return self.events


def _channel(request: pytest.FixtureRequest, suffix: str = "") -> str:
    return f"room:suite-{request.node.name}-{time.monotonic_ns()}{suffix}"


def _typing(n: int = 0, **data: Any) -> EphemeralEvent:
    return EphemeralEvent(
        room_id="r", type=EphemeralEventType.TYPING_START, user_id=f"u{n}", data={"n": n, **data}
    )


class RealtimeBackendSuite(SuiteBase):
    """Behaviour every realtime (ephemeral event) backend must show."""

    @pytest.fixture
    async def second_component(self) -> Any:
        """Another instance on the same broker; backends claiming ``cross_process`` override."""
        pytest.fail("a realtime backend claiming 'cross_process' must provide 'second_component'")

    @pytest.mark.asyncio
    async def test_subscriber_receives_published_event(
        self, component: RealtimeBackend, request: pytest.FixtureRequest
    ) -> None:
        channel = _channel(request)
        got = Collector()
        sub = await component.subscribe(channel, got)
        assert isinstance(sub, str)
        assert sub
        sent = _typing(1, text="héllo", nested={"a": [1, 2]})
        await component.publish(channel, sent)
        (received,) = await got.wait_for(1)
        assert received == sent

    @pytest.mark.asyncio
    async def test_channels_are_isolated(
        self, component: RealtimeBackend, request: pytest.FixtureRequest
    ) -> None:
        a, b = _channel(request, "-a"), _channel(request, "-b")
        got_a, got_b = Collector(), Collector()
        await component.subscribe(a, got_a)
        await component.subscribe(b, got_b)
        await component.publish(a, _typing(1))
        await component.publish(b, _typing(2))
        assert [e.data["n"] for e in await got_a.wait_for(1)] == [1]
        assert [e.data["n"] for e in await got_b.wait_for(1)] == [2]
        await asyncio.sleep(_QUIET)
        assert len(got_a.events) == 1
        assert len(got_b.events) == 1

    @pytest.mark.asyncio
    async def test_fan_out_to_every_subscriber_in_order(
        self, component: RealtimeBackend, request: pytest.FixtureRequest
    ) -> None:
        channel = _channel(request)
        collectors = [Collector() for _ in range(3)]
        for c in collectors:
            await component.subscribe(channel, c)
        for n in range(50):
            await component.publish(channel, _typing(n))
        for c in collectors:
            assert [e.data["n"] for e in await c.wait_for(50)] == list(range(50))

    @pytest.mark.asyncio
    async def test_events_before_subscribing_are_not_delivered(
        self, component: RealtimeBackend, request: pytest.FixtureRequest
    ) -> None:
        channel = _channel(request)
        await component.publish(channel, _typing(0))
        got = Collector()
        await component.subscribe(channel, got)
        await component.publish(channel, _typing(1))
        await got.wait_for(1)
        await asyncio.sleep(_QUIET)
        assert [e.data["n"] for e in got.events] == [1]

    @pytest.mark.asyncio
    async def test_raising_callback_does_not_affect_others(
        self, component: RealtimeBackend, request: pytest.FixtureRequest
    ) -> None:
        channel = _channel(request)
        bad, good = Collector(fail=True), Collector()
        await component.subscribe(channel, bad)
        await component.subscribe(channel, good)
        for n in range(3):
            await component.publish(channel, _typing(n))
        assert [e.data["n"] for e in await good.wait_for(3)] == [0, 1, 2]
        assert [e.data["n"] for e in await bad.wait_for(3)] == [0, 1, 2]

    @pytest.mark.asyncio
    async def test_unsubscribe_stops_delivery(
        self, component: RealtimeBackend, request: pytest.FixtureRequest
    ) -> None:
        channel = _channel(request)
        leaving, staying = Collector(), Collector()
        sub = await component.subscribe(channel, leaving)
        await component.subscribe(channel, staying)
        await component.publish(channel, _typing(0))
        await leaving.wait_for(1)
        assert await component.unsubscribe(sub) is True
        assert await component.unsubscribe(sub) is False
        await component.publish(channel, _typing(1))
        await staying.wait_for(2)
        await asyncio.sleep(_QUIET)
        assert [e.data["n"] for e in leaving.events] == [0]

    @pytest.mark.asyncio
    async def test_unknown_subscription_is_false(self, component: RealtimeBackend) -> None:
        assert await component.unsubscribe("no-such-subscription") is False
        assert await component.unsubscribe("") is False

    @pytest.mark.asyncio
    async def test_resubscribe_after_last_unsubscribe(
        self, component: RealtimeBackend, request: pytest.FixtureRequest
    ) -> None:
        channel = _channel(request)
        first = Collector()
        sub = await component.subscribe(channel, first)
        assert await component.unsubscribe(sub) is True
        second = Collector()
        await component.subscribe(channel, second)
        await component.publish(channel, _typing(7))
        assert [e.data["n"] for e in await second.wait_for(1)] == [7]
        assert first.events == []

    @pytest.mark.asyncio
    async def test_slow_subscriber_does_not_delay_publisher_forever(
        self, component: RealtimeBackend, request: pytest.FixtureRequest
    ) -> None:
        channel = _channel(request)
        gate = asyncio.Event()

        async def slow(event: EphemeralEvent) -> None:
            await gate.wait()

        await component.subscribe(channel, slow)
        fast = Collector()
        await component.subscribe(channel, fast)
        await asyncio.wait_for(component.publish(channel, _typing(0)), _WAIT)
        await fast.wait_for(1)
        gate.set()

    @requires("cross_process")
    @pytest.mark.asyncio
    async def test_second_instance_receives_what_the_first_publishes(
        self,
        component: RealtimeBackend,
        second_component: RealtimeBackend,
        request: pytest.FixtureRequest,
    ) -> None:
        channel = _channel(request)
        here, there = Collector(), Collector()
        await component.subscribe(channel, here)
        await second_component.subscribe(channel, there)
        for n in range(20):
            await component.publish(channel, _typing(n))
        assert [e.data["n"] for e in await there.wait_for(20)] == list(range(20))
        assert [e.data["n"] for e in await here.wait_for(20)] == list(range(20))
        await second_component.publish(channel, _typing(99))
        assert (await here.wait_for(21))[-1].data["n"] == 99
