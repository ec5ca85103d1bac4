"""Conformance suite for :class:`roomkit.core.locks.RoomLockManager` implementations.

Subclass :class:`RoomLockManagerSuite` and provide an async ``component`` fixture. Lock
managers shared between processes claim ``"cross_process"`` and provide ``second_component``
(another instance on the same backend): a lock held through one must block the other.
Managers that reach their backend over the network also claim ``"network_backend"`` and
provide ``unreachable_component`` (an instance whose backend address refuses
connections) and ``stalled_component`` (an instance pointed at
:func:`roomkit_conformance.wire.silent_server`, with connect and read time-outs of 30 s): the
first must fail fast with :class:`~roomkit.errors.LockBackendError` although the default lock
timeout is long, the second must give up at the caller's lock timeout.
Managers that claim ``"backend_outage"`` (with ``cross_process``) provide
``relayed_component``: a fixture yielding ``(manager, relay)``, another instance on the same
backend and namespace as ``component`` that reaches the backend through a
:class:`~roomkit_conformance.wire.relay.TcpRelay`. Cutting the relay while that instance holds
a room must not block the room beyond the lock's lease or session: ``component`` gets it,
under a greater token; the holder fails fast for other rooms, leaves its block without an
error, and locks again once the relay is restored.
Managers whose locks expire when the holder dies claim ``"lease_expiry"`` and provide
``abandon``: a fixture returning an async callable ``abandon(manager, room_id)`` that takes
the lock through a *separate* instance and then loses it without releasing (the instance's
connection dies, its renewal stops ...), plus the class attributes ``lease_seconds`` (how long
such a lock may survive its holder) and ``abandoned_lock_lasts`` (how long it surely stays
held after ``abandon`` was called).

Every manager's ``hold`` yields a :class:`~roomkit.core.locks.RoomLockHandle`. Managers that
fence their locks claim ``"fencing"``: tokens grow with every acquisition of a room (across
instances), ``still_held`` tells the truth, and they provide ``lose``: a fixture returning an
async callable ``lose(manager, handle)`` that makes the backend drop the lock behind the
holder's back the way a failure would (its database session is terminated, its lease runs out
and another holder takes the room ...).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

import pytest

from roomkit.core.locks import RoomLockHandle, RoomLockManager
from roomkit.errors import LockBackendError, RoomLockLostError, RoomLockTimeoutError, StoreError
from roomkit_conformance.base import SuiteBase, requires
from roomkit_conformance.wire.relay import TcpRelay

__all__ = ["RoomLockManagerSuite"]


def _room(request: pytest.FixtureRequest, suffix: str = "") -> str:
    return f"lock-suite-{request.node.name}-{time.monotonic_ns()}{suffix}"


class RoomLockManagerSuite(SuiteBase):
    """Behaviour every per-room lock manager must show."""

    #: Upper bound (seconds) for an abandoned lock to become free again (``lease_expiry``).
    lease_seconds: ClassVar[float] = 5.0
    #: Seconds an abandoned lock surely stays held after ``abandon`` was called.
    abandoned_lock_lasts: ClassVar[float] = 0.5

    @pytest.fixture
    def second_component(self) -> Any:
        """Another instance on the same backend; managers claiming ``cross_process`` override."""
        pytest.fail("a lock manager claiming 'cross_process' must provide 'second_component'")

    @pytest.fixture
    def unreachable_component(self) -> Any:
        """See the module docstring; managers claiming ``network_backend`` override it."""
        pytest.fail(
            "a lock manager claiming 'network_backend' must provide 'unreachable_component'"
        )

    @pytest.fixture
    def stalled_component(self) -> Any:
        """See the module docstring; managers claiming ``network_backend`` override it."""
        pytest.fail("a lock manager claiming 'network_backend' must provide 'stalled_component'")

    @pytest.fixture
    def relayed_component(self) -> Any:
        """See the module docstring; managers claiming ``backend_outage`` override it."""
        pytest.fail("a lock manager claiming 'backend_outage' must provide 'relayed_component'")

    @pytest.fixture
    def abandon(self) -> Any:
        """See the module docstring; managers claiming ``lease_expiry`` override it."""
        pytest.fail("a lock manager claiming 'lease_expiry' must provide an 'abandon' fixture")

    @pytest.fixture
    def lose(self) -> Any:
        """See the module docstring; managers claiming ``fencing`` override it."""
        pytest.fail("a lock manager claiming 'fencing' must provide a 'lose' fixture")

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

    @requires("network_backend")
    @pytest.mark.asyncio
    async def test_an_unreachable_backend_fails_fast_with_a_typed_error(
        self, unreachable_component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        started = time.monotonic()
        with pytest.raises(LockBackendError) as caught:
            async with unreachable_component.locked(_room(request)):  # the default timeout
                pytest.fail("locked without a backend")
        assert time.monotonic() - started < 30, "waited for the lock timeout instead"
        assert isinstance(caught.value, StoreError)

    @requires("network_backend")
    @pytest.mark.asyncio
    async def test_a_stalled_backend_is_given_up_at_the_lock_timeout(
        self, stalled_component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        started = time.monotonic()
        with pytest.raises((RoomLockTimeoutError, LockBackendError)):
            async with stalled_component.locked(_room(request), timeout=0.5):
                pytest.fail("locked without an answer")
        # The 30 s connect / read time-outs must not come on top of the lock timeout.
        assert time.monotonic() - started < 15

    @requires("lease_expiry")
    @pytest.mark.asyncio
    async def test_lock_of_a_dead_holder_expires(
        self, component: RoomLockManager, abandon: Any, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)
        abandoned = time.monotonic()
        await abandon(component, room)
        try:
            async with component.locked(room, timeout=0.1):
                # Only a slow machine may find it free already: the lock must have lived on.
                assert time.monotonic() - abandoned >= self.abandoned_lock_lasts, (
                    "the abandoned lock was not held"
                )
        except RoomLockTimeoutError:
            pass
        started = time.monotonic()
        async with component.locked(room, timeout=self.lease_seconds + 30):
            waited = time.monotonic() - started
        assert waited <= self.lease_seconds + 30

    @pytest.mark.asyncio
    async def test_hold_yields_a_handle_of_the_room(
        self, component: RoomLockManager, request: pytest.FixtureRequest
    ) -> None:
        room = _room(request)
        async with component.hold(room, timeout=5) as handle:
            assert isinstance(handle, RoomLockHandle)
            assert handle.room_id == room
            assert await handle.still_held()
            await handle.ensure_held()
            with pytest.raises(RoomLockTimeoutError):
                async with component.locked(room, timeout=0.1):
                    pytest.fail("hold() did not hold the lock")
        assert not await handle.still_held()
        async with component.locked(room, timeout=5):
            pass

    @requires("fencing", "cross_process")
    @pytest.mark.asyncio
    async def test_fencing_tokens_grow_with_every_acquisition(
        self,
        component: RoomLockManager,
        second_component: RoomLockManager,
        request: pytest.FixtureRequest,
    ) -> None:
        room, other_room = _room(request), _room(request, "-other")
        tokens: list[int] = []
        for manager in (component, second_component, component, second_component):
            async with manager.hold(room, timeout=5) as handle:
                assert isinstance(handle.fencing_token, int)
                tokens.append(handle.fencing_token)
            async with manager.hold(other_room, timeout=5):
                pass  # other rooms may share or not share the counter; only order matters
        assert tokens == sorted(tokens)
        assert len(set(tokens)) == len(tokens)

    @requires("fencing", "cross_process")
    @pytest.mark.asyncio
    async def test_a_lost_lock_is_detected_and_fenced(
        self,
        component: RoomLockManager,
        second_component: RoomLockManager,
        lose: Any,
        request: pytest.FixtureRequest,
    ) -> None:
        room = _room(request)
        async with component.hold(room, timeout=5) as handle:
            first = handle.fencing_token
            assert first is not None
            await lose(component, handle)
            assert not await handle.still_held()
            assert handle.lost
            with pytest.raises(RoomLockLostError, match="was lost"):
                await handle.ensure_held()
            # the room is free for others, and a newer holder gets a greater token
            async with second_component.hold(room, timeout=30) as newer:
                assert newer.fencing_token is not None
                assert newer.fencing_token > first
        # leaving the block of a lost lock does not raise, and the room stays usable
        async with component.hold(room, timeout=5) as again:
            assert again.fencing_token is not None
            assert again.fencing_token > first
            assert await again.still_held()

    @requires("backend_outage", "cross_process")
    @pytest.mark.asyncio
    async def test_a_lock_held_through_a_backend_outage_does_not_block_the_room(
        self,
        component: RoomLockManager,
        relayed_component: tuple[RoomLockManager, TcpRelay],
        request: pytest.FixtureRequest,
    ) -> None:
        holder, relay = relayed_component
        room = _room(request)
        async with holder.hold(room, timeout=10) as handle:
            first = handle.fencing_token
            await relay.cut()  # the holder's backend is gone; the lock ends with its lease
            async with component.hold(room, timeout=60) as newer:
                second = newer.fencing_token
            if first is not None:
                assert second is not None
                assert second > first
            assert not await handle.still_held()
            started = time.monotonic()
            with pytest.raises(LockBackendError):
                async with holder.locked(_room(request, "-other"), timeout=60):
                    pytest.fail("locked while the backend is unreachable")
            assert time.monotonic() - started < 30, "waited for the lock timeout instead"
            with pytest.raises(RoomLockTimeoutError):  # this instance's own queue: bounded
                async with holder.locked(room, timeout=0.2):
                    pytest.fail("locked a room this instance holds")
        await relay.restore()  # leaving the block raised nothing
        async with holder.hold(room, timeout=30) as again:
            if second is not None:
                assert again.fencing_token is not None
                assert again.fencing_token > second
            assert await again.still_held()
