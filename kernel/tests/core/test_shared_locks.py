"""SharedRoomLockManager: the local queueing in front of a shared lock backend."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from roomkit.core.locks import (
    InMemoryLockManager,
    RoomLockHandle,
    SharedRoomLockManager,
    lock_timeout_error,
)
from roomkit.errors import ConfigurationError, RoomLockLostError, RoomLockTimeoutError


class _Backend:
    """A lock "server" shared by several managers, as a database or Redis would be."""

    def __init__(self) -> None:
        self.locks: dict[str, asyncio.Lock] = {}
        self.waiting = 0
        self.max_waiting = 0
        self.deadlines: list[float] = []
        self.fence: dict[str, int] = {}
        self.holder: dict[str, RoomLockHandle] = {}


class _Manager(SharedRoomLockManager):
    def __init__(self, backend: _Backend, *, default_timeout: float = 5.0) -> None:
        super().__init__(default_timeout=default_timeout)
        self.backend = backend

    @asynccontextmanager
    async def hold_in_backend(
        self, room_id: str, deadline: float, timeout: float
    ) -> AsyncIterator[RoomLockHandle]:
        backend = self.backend
        backend.deadlines.append(deadline)
        lock = backend.locks.setdefault(room_id, asyncio.Lock())
        backend.waiting += 1
        backend.max_waiting = max(backend.max_waiting, backend.waiting)
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0)):
                await lock.acquire()
        except TimeoutError:
            raise lock_timeout_error(room_id, timeout) from None
        finally:
            backend.waiting -= 1
        token = backend.fence[room_id] = backend.fence.get(room_id, 0) + 1

        async def verify() -> bool:
            return backend.fence[room_id] == token

        handle = backend.holder[room_id] = RoomLockHandle(room_id, token, verify=verify)
        try:
            yield handle
        finally:
            lock.release()


def test_default_timeout_validated() -> None:
    with pytest.raises(ConfigurationError, match="default_timeout"):
        _Manager(_Backend(), default_timeout=0)


def test_lock_timeout_error_message() -> None:
    error = lock_timeout_error("r1", 2.5)
    assert isinstance(error, RoomLockTimeoutError)
    assert str(error) == "room 'r1' stayed locked for more than 2.5s"


async def test_serialises_one_room_across_managers() -> None:
    backend = _Backend()
    first, second = _Manager(backend), _Manager(backend)
    inside = 0
    most = 0

    async def work(manager: _Manager) -> None:
        nonlocal inside, most
        async with manager.locked("r"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.005)
            inside -= 1

    await asyncio.gather(*(work(m) for m in (first, second) * 5))
    assert most == 1


async def test_local_waiters_queue_before_the_backend() -> None:
    backend = _Backend()
    manager = _Manager(backend)

    async def work() -> None:
        async with manager.locked("busy"):
            await asyncio.sleep(0.002)

    await asyncio.gather(*(work() for _ in range(10)))
    assert backend.max_waiting == 1  # ten tasks, one backend waiter at a time
    assert manager._local == {}  # per-room state is dropped when unused
    assert manager._local_users == {}


async def test_timeout_when_the_room_stays_locked() -> None:
    backend = _Backend()
    holder, waiter = _Manager(backend), _Manager(backend)
    async with holder.locked("r"):
        with pytest.raises(RoomLockTimeoutError, match=r"more than 0\.05s"):
            async with waiter.locked("r", timeout=0.05):
                pass
        # a local waiter behind a local holder times out on the local queue
        with pytest.raises(RoomLockTimeoutError, match=r"more than 0\.05s"):
            async with holder.locked("r", timeout=0.05):
                pass
    async with waiter.locked("r", timeout=1):
        pass
    assert waiter._local == {}
    assert holder._local == {}


async def test_none_means_the_default_timeout() -> None:
    backend = _Backend()
    manager = _Manager(backend, default_timeout=7.0)
    before = time.monotonic()
    async with manager.locked("r"):
        pass
    assert 6.5 < backend.deadlines[-1] - before < 7.5


async def test_cancelled_waiter_leaves_nothing_behind() -> None:
    backend = _Backend()
    manager = _Manager(backend)
    release = asyncio.Event()

    async def hold() -> None:
        async with manager.locked("r"):
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(manager.locked("r").__aenter__())
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    release.set()
    await holder
    assert manager._local == {}
    async with manager.locked("r", timeout=1):
        pass


async def test_released_on_error_in_the_block() -> None:
    manager = _Manager(_Backend())
    with pytest.raises(RuntimeError):
        async with manager.locked("r"):
            raise RuntimeError("boom")
    async with manager.locked("r", timeout=0.5):
        pass


async def test_hold_yields_a_fenced_handle_with_growing_tokens() -> None:
    backend = _Backend()
    first, second = _Manager(backend), _Manager(backend)
    tokens: list[int | None] = []
    for manager in (first, second, first):
        async with manager.hold("r", timeout=1) as handle:
            assert handle.room_id == "r"
            assert await handle.still_held()
            await handle.ensure_held()
            tokens.append(handle.fencing_token)
        assert not await handle.still_held()  # given back
        with pytest.raises(RoomLockLostError, match="given back"):
            await handle.ensure_held()
    assert tokens == [1, 2, 3]
    assert first.lost_locks == 0


async def test_a_lost_lock_is_reported_and_counted() -> None:
    backend = _Backend()
    manager = _Manager(backend)
    async with manager.hold("r", timeout=1) as handle:
        backend.fence["r"] += 1  # another holder took the room in the backend
        assert not handle.lost  # nobody asked the backend yet
        with pytest.raises(RoomLockLostError, match="lock of room 'r' was lost"):
            await handle.ensure_held()
        assert handle.lost
        assert "lost" in repr(handle)
    assert manager.lost_locks == 1


async def test_loss_noticed_by_the_manager_is_counted_when_the_block_raises() -> None:
    manager = _Manager(_Backend())
    handles = []

    async def lose_then_fail() -> None:
        async with manager.hold("r", timeout=1) as handle:
            handles.append(handle)
            handle.mark_lost("lease renewal refused")
            handle.mark_lost("a later reason is ignored")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await lose_then_fail()
    (handle,) = handles
    assert handle.lost_reason == "lease renewal refused"
    assert manager.lost_locks == 1


async def test_locked_yields_nothing_but_holds_the_same_lock() -> None:
    backend = _Backend()
    manager = _Manager(backend)
    async with manager.locked("r", timeout=1) as nothing:
        assert nothing is None
        assert backend.locks["r"].locked()
    assert not backend.locks["r"].locked()


async def test_in_process_managers_yield_an_unfenced_handle() -> None:
    manager = InMemoryLockManager()
    async with manager.hold("r", timeout=1) as handle:
        assert handle.fencing_token is None
        assert await handle.still_held()
        with pytest.raises(RoomLockTimeoutError):
            async with manager.locked("r", timeout=0.01):
                pass
    assert not await handle.still_held()
    assert manager._locks == {}
