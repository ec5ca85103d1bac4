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
    assert locks._locks == {}  # released locks are dropped


async def test_room_lock_timeout() -> None:
    locks = InMemoryLockManager()
    async with locks.locked("r"):
        with pytest.raises(RoomLockTimeoutError):
            async with locks.locked("r", timeout=0.02):
                pass
    async with locks.locked("r", timeout=0.1):
        pass
    assert locks._locks == {}


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
    assert locks._locks == {}
    assert locks._users == {}
