"""Fanout: bounded per-subscription queues shared by every realtime backend."""

from __future__ import annotations

import asyncio
import logging

import pytest

from roomkit import EphemeralEvent, EphemeralEventType
from roomkit.realtime.fanout import Fanout

log = logging.getLogger("tests.fanout")


def _ev(i: int) -> EphemeralEvent:
    return EphemeralEvent(room_id="r", type=EphemeralEventType.CUSTOM, data={"i": i})


def test_max_queue_validated() -> None:
    with pytest.raises(ValueError, match="max_queue"):
        Fanout(max_queue=0, log=log)


async def test_events_arrive_in_order_per_subscription() -> None:
    fanout = Fanout(max_queue=100, log=log)
    first: list[int] = []
    second: list[int] = []

    async def one(event: EphemeralEvent) -> None:
        first.append(event.data["i"])

    async def two(event: EphemeralEvent) -> None:
        await asyncio.sleep(0)
        second.append(event.data["i"])

    fanout.add("c", one)
    fanout.add("c", two)
    for i in range(20):
        fanout.deliver("c", _ev(i))
    await fanout.flush()
    assert first == list(range(20))
    assert second == list(range(20))
    await fanout.close()


async def test_only_subscribers_of_the_channel_receive() -> None:
    fanout = Fanout(max_queue=10, log=log)
    got: list[str] = []

    async def on_a(event: EphemeralEvent) -> None:
        got.append("a")

    fanout.add("a", on_a)
    fanout.deliver("b", _ev(0))
    fanout.deliver("a", _ev(1))
    await fanout.flush()
    assert got == ["a"]
    assert fanout.channels() == ["a"]
    assert fanout.has("a")
    assert not fanout.has("b")
    await fanout.close()


async def test_full_queue_drops_the_oldest_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    fanout = Fanout(max_queue=2, log=log)
    gate = asyncio.Event()
    got: list[int] = []

    async def slow(event: EphemeralEvent) -> None:
        await gate.wait()
        got.append(event.data["i"])

    fanout.add("c", slow)
    fanout.deliver("c", _ev(0))
    await asyncio.sleep(0.01)  # the worker takes event 0 and waits on the gate
    with caplog.at_level(logging.WARNING, logger="tests.fanout"):
        for i in range(1, 6):
            fanout.deliver("c", _ev(i))
    gate.set()
    await fanout.flush()
    assert got == [0, 4, 5]
    assert fanout.dropped == 3
    assert [r.getMessage() for r in caplog.records] == [
        "subscriber of c is too slow: dropped 1 events"
    ]
    await fanout.close()


async def test_drop_warning_can_be_turned_off(caplog: pytest.LogCaptureFixture) -> None:
    fanout = Fanout(max_queue=1, log=log, warn_drops=False)
    gate = asyncio.Event()

    async def slow(event: EphemeralEvent) -> None:
        await gate.wait()

    fanout.add("c", slow)
    fanout.deliver("c", _ev(0))
    await asyncio.sleep(0.01)
    with caplog.at_level(logging.WARNING, logger="tests.fanout"):
        for i in range(1, 4):
            fanout.deliver("c", _ev(i))
    assert fanout.dropped == 2
    assert caplog.records == []
    gate.set()
    await fanout.close()


async def test_a_raising_callback_does_not_affect_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fanout = Fanout(max_queue=10, log=log)
    good: list[int] = []
    calls = 0

    async def bad(event: EphemeralEvent) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("broken ui")

    async def fine(event: EphemeralEvent) -> None:
        good.append(event.data["i"])

    fanout.add("c", bad)
    fanout.add("c", fine)
    with caplog.at_level(logging.ERROR, logger="tests.fanout"):
        for i in range(3):
            fanout.deliver("c", _ev(i))
        await fanout.flush()
    assert good == [0, 1, 2]
    assert calls == 3  # the failing subscriber keeps receiving
    assert len(caplog.records) == 3
    await fanout.close()


async def test_a_slow_subscriber_does_not_block_others() -> None:
    fanout = Fanout(max_queue=10, log=log)
    gate = asyncio.Event()
    fast_got: list[int] = []

    async def stuck(event: EphemeralEvent) -> None:
        await gate.wait()

    async def fast(event: EphemeralEvent) -> None:
        fast_got.append(event.data["i"])

    fanout.add("c", stuck)
    fanout.add("c", fast)
    for i in range(5):
        fanout.deliver("c", _ev(i))  # returns at once although ``stuck`` never finishes
    async with asyncio.timeout(5):
        while len(fast_got) < 5:
            await asyncio.sleep(0.005)
    assert fast_got == [0, 1, 2, 3, 4]
    with pytest.raises(TimeoutError):
        await fanout.flush(timeout=0.05)
    gate.set()
    await fanout.close()


async def test_remove_stops_delivery_and_forgets_the_channel() -> None:
    fanout = Fanout(max_queue=10, log=log)
    got: list[int] = []

    async def cb(event: EphemeralEvent) -> None:
        got.append(event.data["i"])

    sub = fanout.add("c", cb)
    fanout.deliver("c", _ev(0))
    await fanout.flush()
    assert fanout.remove(sub) == "c"
    assert fanout.remove(sub) is None
    assert not fanout.has("c")
    assert fanout.count() == 0
    fanout.deliver("c", _ev(1))
    await asyncio.sleep(0.01)
    assert got == [0]


async def test_discard_waits_for_the_worker() -> None:
    fanout = Fanout(max_queue=10, log=log)
    started = asyncio.Event()
    cancelled = False

    async def busy(event: EphemeralEvent) -> None:
        nonlocal cancelled
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled = True
            raise

    other = fanout.add("c", busy)
    sub = fanout.add("d", busy)
    fanout.deliver("d", _ev(0))
    await started.wait()
    assert fanout.count() == 2
    assert fanout.count("d") == 1
    assert await fanout.discard(sub) == "d"
    assert cancelled  # the worker had stopped when discard returned
    assert await fanout.discard(sub) is None
    assert fanout.count() == 1
    assert fanout.channels() == ["c"]
    assert fanout.remove(other) == "c"


async def test_close_stops_every_worker() -> None:
    fanout = Fanout(max_queue=10, log=log)

    async def cb(event: EphemeralEvent) -> None:
        await asyncio.sleep(30)

    fanout.add("a", cb)
    fanout.add("b", cb)
    tasks = [t for t in asyncio.all_tasks() if (t.get_name() or "").startswith("roomkit-realtime")]
    assert len(tasks) == 2
    fanout.deliver("a", _ev(0))
    await asyncio.sleep(0)
    await fanout.close()
    assert all(t.done() for t in tasks)
    assert fanout.count() == 0
    assert fanout.channels() == []
