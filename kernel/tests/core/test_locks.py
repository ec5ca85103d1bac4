"""The in-memory per-room lock manager."""

from __future__ import annotations

import asyncio

import pytest

from roomkit import InMemoryLockManager, RoomLockTimeoutError


async def test_room_lock_serialises_one_room_only() -> None:
    locks = InMemoryLockManager()
    order: list[str] = []

    async def work(room: str, tag: str) -> None:
        async with locks.locked(room):
            order.append(f"{tag}-in")
            await asyncio.sleep(0.01)
            order.append(f"{tag}-out")

    await asyncio.gather(work("r", "a"), work("r", "b"), work("other", "c"))
    assert order.index("a-out") < order.index("b-in")
    assert order.index("c-in") < order.index("a-out")  # other rooms do not wait
    assert locks.size == 0  # released locks are dropped


async def test_room_lock_timeout() -> None:
    locks = InMemoryLockManager()
    async with locks.locked("r"):
        with pytest.raises(RoomLockTimeoutError):
            async with locks.locked("r", timeout=0.02):
                pass
    async with locks.locked("r", timeout=0.1):
        pass
    assert locks.size == 0


async def test_the_engines_room_lock_serialises_forgets_idle_locks_and_survives_cancel() -> None:
    from roomkit.core.locks import room_lock

    locks = InMemoryLockManager()
    order: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with room_lock(locks, "r", None):
            order.append("holder-in")
            await release.wait()
        order.append("holder-out")

    async def waiter() -> None:
        async with room_lock(locks, "r", None):
            order.append("waiter-in")

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    cancelled = asyncio.create_task(waiter())
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    cancelled.cancel()  # cancelled while waiting: its place is given up, the count too
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, second)
    assert cancelled.cancelled()
    assert order == ["holder-in", "holder-out", "waiter-in"]
    assert locks.size == 0


async def test_waiters_get_the_room_in_arrival_order_and_a_timed_out_one_leaves_the_line() -> None:
    locks = InMemoryLockManager()
    order: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with locks.locked("r"):
            await release.wait()

    async def waiter(tag: str, timeout: float | None = None) -> None:
        try:
            async with locks.locked("r", timeout=timeout):
                order.append(tag)
                await asyncio.sleep(0)
        except RoomLockTimeoutError:
            order.append(f"{tag}-timeout")

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    tasks = [asyncio.create_task(waiter("a")), asyncio.create_task(waiter("b", timeout=0.01))]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(waiter("c")))
    await asyncio.sleep(0.05)  # b gives up while the holder still holds
    assert order == ["b-timeout"]
    release.set()
    await asyncio.gather(first, *tasks)
    assert order == ["b-timeout", "a", "c"]
    assert locks.size == 0


async def test_a_waiter_cancelled_after_being_handed_the_room_passes_it_on() -> None:
    locks = InMemoryLockManager()
    entered: list[str] = []
    release = asyncio.Event()
    waiters: list[asyncio.Task[None]] = []

    async def holder() -> None:
        async with locks.locked("r"):
            await release.wait()
        waiters[0].cancel()  # handed the room by the release above, before it could run

    async def waiter(tag: str) -> None:
        async with locks.locked("r"):
            entered.append(tag)

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiters += [asyncio.create_task(waiter("handed")), asyncio.create_task(waiter("last"))]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, *waiters, return_exceptions=True)
    assert waiters[0].cancelled()
    assert entered == ["last"]
    assert locks.size == 0
