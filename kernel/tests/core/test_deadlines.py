"""The watchdog behind hook and delivery timeouts, and the per-room locks."""

from __future__ import annotations

import asyncio

import pytest

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
