"""Conformance suite for :class:`roomkit.core.locks.RoomLockManager` implementations.

Subclass :class:`RoomLockManagerSuite` and provide an async ``component`` fixture. Lock
managers shared between processes claim ``"cross_process"`` and provide ``second_component``
(another instance on the same backend): a lock held through one must block the other.
Managers whose locks expire when the holder dies claim ``"lease_expiry"`` and provide
``abandon``: a fixture returning an async callable ``abandon(manager, room_id)`` that takes
the lock through a *separate* instance and then loses it without releasing (the instance's
connection dies, its renewal stops ...), plus the class attribute ``lease_seconds`` saying how
long such a lock may survive its holder.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

import pytest

from roomkit.core.locks import RoomLockManager
from roomkit.errors import RoomLockTimeoutError
from roomkit_conformance.base import SuiteBase, requires

__all__ = ["RoomLockManagerSuite"]


def _room(request: pytest.FixtureRequest, suffix: str = "") -> str:
    return f"lock-suite-{request.node.name}-{time.monotonic_ns()}{suffix}"


class RoomLockManagerSuite(SuiteBase):
    """Behaviour every per-room lock manager must show."""

    #: Upper bound (seconds) for an abandoned lock to become free again (``lease_expiry``).
    lease_seconds: ClassVar[float] = 5.0

    @pytest.fixture
    async def second_component(self) -> Any:
        """Another instance on the same backend; managers claiming ``cross_process`` override."""
        pytest.fail("a lock manager claiming 'cross_process' must provide 'second_component'")

    @pytest.fixture
    def abandon(self) -> Any:
        """See the module docstring; managers claiming ``lease_expiry`` override it."""
        pytest.fail("a lock manager claiming 'lease_expiry' must provide an 'abandon' fixture")

    @pytest.mark.asyncio
    async def test_mutual_exclusion_within_a_room(
        self, component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)
        inside = 0
        peak = 0
        order: list[int] = []

        async def worker(n: int) -> None:
            nonlocal inside, peak
            async with component.locked(room, timeout=30):
                inside += 1
                peak = max(peak, inside)
                await asyncio.sleep(0.005)
                order.append(n)
                inside -= 1

        await asyncio.gather(*(worker(n) for n in range(20)))
        assert peak == 1
        assert sorted(order) == list(range(20))

    @pytest.mark.asyncio
    async def test_different_rooms_do_not_block_each_other(
        self, component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        held = asyncio.Event()
        release = asyncio.Event()

        async def holder() -> None:
            async with component.locked(_room(request, "-a"), timeout=5):
                held.set()
                await release.wait()

        task = asyncio.create_task(holder())
        await asyncio.wait_for(held.wait(), 5)
        async with component.locked(_room(request, "-b"), timeout=2):
            pass
        release.set()
        await task

    @pytest.mark.asyncio
    async def test_timeout_raises_room_lock_timeout_error(
        self, component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)
        async with component.locked(room, timeout=5):
            started = time.monotonic()
            with pytest.raises(RoomLockTimeoutError):
                async with component.locked(room, timeout=0.2):
                    pytest.fail("acquired a lock that is held")
            assert time.monotonic() - started < 5
        async with component.locked(room, timeout=2):
            pass

    @pytest.mark.asyncio
    async def test_reacquire_after_release(
        self, component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)
        for _ in range(5):
            async with component.locked(room, timeout=2):
                pass

    @pytest.mark.asyncio
    async def test_released_when_the_block_raises(
        self, component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)

        class Boom(Exception):
            pass

        with pytest.raises(Boom):
            async with component.locked(room, timeout=2):
                raise Boom
        async with component.locked(room, timeout=2):
            pass

    @pytest.mark.asyncio
    async def test_released_when_the_holder_is_cancelled(
        self, component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)
        held = asyncio.Event()

        async def holder() -> None:
            async with component.locked(room, timeout=2):
                held.set()
                await asyncio.sleep(60)

        task = asyncio.create_task(holder())
        await asyncio.wait_for(held.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with component.locked(room, timeout=2):
            pass

    @pytest.mark.asyncio
    async def test_cancelled_waiter_does_not_take_the_lock(
        self, component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)
        release = asyncio.Event()
        held = asyncio.Event()

        async def holder() -> None:
            async with component.locked(room, timeout=2):
                held.set()
                await release.wait()

        async def waiter() -> None:
            async with component.locked(room, timeout=30):
                pytest.fail("a cancelled waiter entered the block")

        hold_task = asyncio.create_task(holder())
        await asyncio.wait_for(held.wait(), 5)
        wait_task = asyncio.create_task(waiter())
        await asyncio.sleep(0.1)
        wait_task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await wait_task
        release.set()
        await hold_task
        async with component.locked(room, timeout=2):
            pass

    @requires("cross_process")
    @pytest.mark.asyncio
    async def test_lock_held_through_one_instance_blocks_another(
        self,
        component: RoomLockManager,
        second_component: RoomLockManager,
        request: pytest.FixtureRequest,
    ) -> None:
        room = _room(request)
        async with component.locked(room, timeout=5):
            with pytest.raises(RoomLockTimeoutError):
                async with second_component.locked(room, timeout=0.3):
                    pytest.fail("two instances held the same room lock")
        async with second_component.locked(room, timeout=5):
            pass

    @requires("cross_process")
    @pytest.mark.asyncio
    async def test_two_instances_serialise_work(
        self,
        component: RoomLockManager,
        second_component: RoomLockManager,
        request: pytest.FixtureRequest,
    ) -> None:
        room = _room(request)
        inside = 0
        peak = 0

        async def worker(manager: RoomLockManager) -> None:
            nonlocal inside, peak
            async with manager.locked(room, timeout=30):
                inside += 1
                peak = max(peak, inside)
                await asyncio.sleep(0.01)
                inside -= 1

        managers = (component, second_component)
        await asyncio.gather(*(worker(managers[i % 2]) for i in range(16)))
        assert peak == 1

    @requires("lease_expiry")
    @pytest.mark.asyncio
    async def test_lock_of_a_dead_holder_expires(
        self, component: RoomLockManager, abandon: Any, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)
        await abandon(component, room)
        with pytest.raises(RoomLockTimeoutError):
            async with component.locked(room, timeout=0.1):
                pytest.fail("the abandoned lock was not held")
        started = time.monotonic()
        async with component.locked(room, timeout=self.lease_seconds + 5):
            waited = time.monotonic() - started
        assert waited <= self.lease_seconds + 5
