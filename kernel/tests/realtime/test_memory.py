"""InMemoryRealtime: the realtime conformance suite plus bounded queues."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from roomkit import EphemeralEvent, EphemeralEventType, InMemoryRealtime
from roomkit.realtime import EphemeralCallback
from roomkit_conformance.suites.realtime import RealtimeBackendSuite


class TestInMemoryRealtimeConformance(RealtimeBackendSuite):
    @pytest.fixture
    async def component(self) -> AsyncIterator[InMemoryRealtime]:
        backend = InMemoryRealtime()
        yield backend
        await backend.close()


def _ev(i: int) -> EphemeralEvent:
    return EphemeralEvent(room_id="r", type=EphemeralEventType.CUSTOM, data={"i": i})


def _gated_subscriber() -> tuple[EphemeralCallback, list[int], asyncio.Event]:
    """A callback that waits for the gate, then records each event's ``i``."""
    got: list[int] = []
    gate = asyncio.Event()

    async def slow(event: EphemeralEvent) -> None:
        await gate.wait()
        got.append(event.data["i"])

    return slow, got, gate


async def test_full_queue_drops_the_oldest() -> None:
    backend = InMemoryRealtime(max_queue=3)
    slow, got, gate = _gated_subscriber()
    await backend.subscribe("room:r", slow)
    await backend.publish("room:r", _ev(0))
    await asyncio.sleep(0.01)  # the worker takes event 0 and waits on the gate
    for i in range(1, 6):
        await backend.publish("room:r", _ev(i))
    gate.set()
    await backend.flush()
    assert got == [0, 3, 4, 5]
    assert backend.dropped == 2
    await backend.close()
    assert backend.subscriber_count() == 0


async def test_a_failing_subscriber_keeps_receiving_and_others_too() -> None:
    backend = InMemoryRealtime()
    good: list[int] = []
    calls = 0

    async def bad(event: EphemeralEvent) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("broken ui")

    async def fine(event: EphemeralEvent) -> None:
        good.append(event.data["i"])

    await backend.subscribe("c", bad)
    await backend.subscribe("c", fine)
    for i in range(3):
        await backend.publish("c", _ev(i))
    await backend.flush()
    assert good == [0, 1, 2]
    assert calls == 3
    await backend.close()


def test_max_queue_validated() -> None:
    with pytest.raises(ValueError):
        InMemoryRealtime(max_queue=0)


async def test_max_queue_size_as_in_roomkit_067() -> None:
    backend = InMemoryRealtime(max_queue_size=2)
    assert backend.max_queue_size == backend.max_queue == 2
    assert InMemoryRealtime(5).max_queue_size == 5
    assert InMemoryRealtime().max_queue_size == 1000
    slow, got, gate = _gated_subscriber()
    await backend.subscribe("room:r", slow)
    await backend.subscribe("room:s", slow)
    assert backend.subscription_count == 2
    for i in range(5):  # the worker may or may not have taken event 0 before the rest
        await backend.publish("room:r", _ev(i))
    gate.set()
    await backend.flush()
    assert got[-2:] == [3, 4]
    assert backend.dropped >= 2
    await backend.close()
    assert backend.subscription_count == 0
    with pytest.raises(ValueError, match="not both"):
        InMemoryRealtime(max_queue_size=2, max_queue=3)
    with pytest.raises(ValueError):
        InMemoryRealtime(max_queue_size=-1)
