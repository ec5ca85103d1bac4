"""The watchdog behind hook and delivery timeouts, and the per-room locks."""

from __future__ import annotations

import asyncio

import pytest

from roomkit.core import deadlines
from roomkit.core.deadlines import Watchdog


async def test_deadline_raises_timeout_error() -> None:
    dog = Watchdog()
    with pytest.raises(TimeoutError), dog.deadline(0.02):
        await asyncio.sleep(5)
    assert dog.active == 0


async def test_fast_blocks_are_untouched_and_later_deadlines_still_fire() -> None:
    dog = Watchdog()
    for _ in range(100):
        with dog.deadline(10):
            await asyncio.sleep(0)
    # earlier than the armed 10 s timer: the watchdog re-arms for it
    with pytest.raises(TimeoutError), dog.deadline(0.02):
        await asyncio.sleep(5)
    # no stray cancellation is left on the task
    await asyncio.sleep(0.01)


async def test_concurrent_deadlines_only_cancel_the_overdue_task() -> None:
    dog = Watchdog()

    async def guarded(delay: float, timeout: float) -> str:
        try:
            with dog.deadline(timeout):
                await asyncio.sleep(delay)
        except TimeoutError:
            return "timeout"
        return "done"

    results = await asyncio.gather(guarded(0.01, 1), guarded(1, 0.03), guarded(0.05, 0.5))
    assert results == ["done", "timeout", "done"]


async def test_guard_returns_what_a_call_that_never_suspends_returns() -> None:
    dog = Watchdog()

    async def quick(value: int) -> int:
        return value * 2

    assert await dog.guard(quick(21), 0.01) == 42
    assert dog.active == 0


async def test_guard_times_out_a_call_that_suspends_and_hangs() -> None:
    dog = Watchdog()
    seen: list[str] = []

    async def hangs() -> None:
        seen.append("started")
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    with pytest.raises(TimeoutError):
        await dog.guard(hangs(), 0.02)
    assert seen == ["started", "cancelled"]
    assert dog.active == 0
    await asyncio.sleep(0.01)  # no stray cancellation left on the task


async def test_guard_counts_the_deadline_from_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    dog = Watchdog()
    readings = iter([100.0, 105.0])  # the call ran 5 s before it first suspended
    monkeypatch.setattr(deadlines, "_monotonic", lambda: next(readings))

    async def waits() -> str:
        await asyncio.sleep(0.5)
        return "finished"

    # 5.05 s from the call: 0.05 s were left when it suspended, not 5.05
    with pytest.raises(TimeoutError):
        await dog.guard(waits(), 5.05)


async def test_guard_passes_results_exceptions_and_values_through_suspensions() -> None:
    dog = Watchdog()

    async def steps() -> list[int]:
        got = []
        for i in range(3):
            await asyncio.sleep(0)
            got.append(i)
        future: asyncio.Future[int] = loop.create_future()
        loop.call_soon(future.set_result, 7)
        got.append(await future)
        return got

    async def fails_later() -> None:
        await asyncio.sleep(0)
        raise ValueError("boom")

    loop = asyncio.get_running_loop()
    assert await dog.guard(steps(), 1) == [0, 1, 2, 7]
    with pytest.raises(ValueError, match="boom"):
        await dog.guard(fails_later(), 1)
    assert dog.active == 0


async def test_guard_lets_an_outer_cancellation_through_and_accepts_any_awaitable() -> None:
    dog = Watchdog()

    async def sleeper() -> None:
        await asyncio.sleep(5)

    task = asyncio.create_task(dog.guard(sleeper(), 10))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert dog.active == 0
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    future.set_result("done")
    assert await dog.guard(future, 1) == "done"


async def test_outer_cancellation_is_not_turned_into_timeout() -> None:
    dog = Watchdog()

    async def guarded() -> None:
        with dog.deadline(10):
            await asyncio.sleep(5)

    task = asyncio.create_task(guarded())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _lane_call(dog: Watchdog, lane: deadlines.Lane, delay: float, timeout: float) -> str:
    """One call under ``lane`` as the hook engine makes it."""
    lane.start(timeout)
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        if lane.stop():
            return "timeout"
        raise
    lane.stop()
    return "done"


async def test_a_lane_times_out_one_call_and_guards_the_next_ones() -> None:
    dog = Watchdog()
    lane = dog.lane()
    assert dog.active == 1
    results = [
        await _lane_call(dog, lane, 0, 10),  # never suspends for long: untouched
        await _lane_call(dog, lane, 5, 0.02),  # hangs: cancelled at its deadline
        await _lane_call(dog, lane, 0.01, 1),  # the next call runs under its own deadline
        await _lane_call(dog, lane, 5, 0.02),  # and the lane still times calls out
    ]
    assert results == ["done", "timeout", "done", "timeout"]
    # between calls the lane holds no deadline: a long wait there is never cancelled
    await asyncio.sleep(0.05)
    lane.close()
    assert dog.active == 0
    await asyncio.sleep(0.01)  # no stray cancellation left on the task


async def test_a_lane_lets_an_outer_cancellation_through() -> None:
    dog = Watchdog()

    async def run() -> str:
        lane = dog.lane()
        try:
            return await _lane_call(dog, lane, 5, 10)
        finally:
            lane.close()

    task = asyncio.create_task(run())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert dog.active == 0


async def test_lanes_of_concurrent_tasks_only_cancel_the_overdue_call() -> None:
    dog = Watchdog()

    async def run(delay: float, timeout: float) -> str:
        lane = dog.lane()
        try:
            return await _lane_call(dog, lane, delay, timeout)
        finally:
            lane.close()

    results = await asyncio.gather(run(0.01, 1), run(1, 0.03), run(0.05, 0.5))
    assert results == ["done", "timeout", "done"]
    assert dog.active == 0
