"""RedisLockManager waiters: woken by the release (no polling), by the lease of a dead holder,
and many waiters on one room each served exactly once.

Every manager here has a long lease and read timeout, so a waiter's safety-net bound (one
lease) is far beyond the test: a waiter that got in did so because it was woken, and the
counters say by what. Nothing is timed; the short sleeps only give a polling implementation
the chance to poll, which the counted takes would then show.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

import pytest
import redis.asyncio as aioredis
from roomkit_redis import RedisLockManager

from roomkit.errors import RoomLockTimeoutError


def _manager(url: str, prefix: str, lease: float = 30.0) -> RedisLockManager:
    return RedisLockManager(url, prefix=prefix, lease=lease, socket_timeout=30.0)


async def _until(condition: Callable[[], bool], what: str, bound: float = 60.0) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.01)


class _CountedTakes:
    """Counts the EVALSHA calls (takes, releases, renewals) a manager sends to Redis."""

    def __init__(self, manager: RedisLockManager) -> None:
        self.calls = 0
        original: Callable[..., Awaitable[object]] = manager._client.execute_command

        async def counted(*args: object, **options: object) -> object:
            if args and str(args[0]).upper() in {"EVALSHA", "EVAL"}:
                self.calls += 1
            return await original(*args, **options)

        manager._client.execute_command = counted  # type: ignore[method-assign]


@pytest.mark.asyncio
async def test_a_waiter_takes_the_lock_one_take_after_the_release(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    holder, waiter = _manager(redis_url, prefix), _manager(redis_url, prefix)
    scripts = _CountedTakes(waiter)
    try:
        async with holder.hold("r", timeout=10) as first:

            async def wait() -> int | None:
                async with waiter.hold("r", timeout=60) as second:
                    return second.fencing_token

            task = asyncio.create_task(wait())
            await _until(lambda: waiter.refused_takes == 1, "the waiter never tried")
            await asyncio.sleep(0.3)  # a polling waiter would poll meanwhile
            assert not task.done()
            assert waiter.refused_takes == 1  # it blocks; it does not ask again
            assert await raw.exists(f"{prefix}wait:r") == 1  # the room is flagged contended
        token = await asyncio.wait_for(task, 60)
    finally:
        await holder.close()
        await waiter.close()
    assert first.fencing_token is not None
    assert token is not None
    assert token > first.fencing_token  # taken after the holder's acquisition
    assert waiter.wake_ups == 1  # woken by the release's token ...
    assert waiter.expired_waits == 0  # ... not by its safety-net bound
    assert scripts.calls == 3  # one refused take, one take after the release, one release


@pytest.mark.asyncio
async def test_an_uncontended_release_leaves_no_wake_token(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    manager = _manager(redis_url, prefix)
    try:
        for _ in range(3):
            async with manager.hold("r", timeout=5):
                pass
    finally:
        await manager.close()
    assert await raw.exists(f"{prefix}wake:r", f"{prefix}wait:r") == 0
    assert manager.refused_takes == 0


@pytest.mark.asyncio
async def test_a_dead_holders_lease_lets_the_waiter_in_without_a_release(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    """No release, so no wake token: the waiter blocks until the lease could have run out."""
    waiter = _manager(redis_url, prefix)
    await raw.set(waiter.key("r"), "dead-holder", px=1000)
    try:
        async with waiter.hold("r", timeout=60) as handle:
            assert await raw.get(waiter.key("r")) != b"dead-holder"
            assert await handle.still_held()
    finally:
        await waiter.close()
    assert waiter.refused_takes == 1  # one take before the lease ran out, one after
    assert waiter.expired_waits == 1
    assert waiter.wake_ups == 0


@pytest.mark.asyncio
async def test_a_waiter_still_gives_up_at_its_timeout(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    waiter = _manager(redis_url, prefix)
    await raw.set(waiter.key("r"), "busy-holder", px=60_000)
    try:
        with pytest.raises(RoomLockTimeoutError, match="'r'"):
            async with waiter.locked("r", timeout=0.5):
                pytest.fail("took a held lock")
    finally:
        await waiter.close()
    assert waiter.refused_takes == 1  # blocked until the deadline instead of polling
    assert await raw.get(waiter.key("r")) == b"busy-holder"


@pytest.mark.asyncio
async def test_a_cancelled_waiter_does_not_strand_the_others(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    holder, patient = _manager(redis_url, prefix), _manager(redis_url, prefix)
    name = f"rk-quitter-{prefix[8:20]}"
    quitter = RedisLockManager(
        redis_url, prefix=prefix, lease=30.0, socket_timeout=30.0, client_name=name
    )
    try:
        async with holder.hold("r", timeout=10):

            async def wait(manager: RedisLockManager) -> None:
                async with manager.locked("r", timeout=60):
                    pass

            gives_up = asyncio.create_task(wait(quitter))
            stays = asyncio.create_task(wait(patient))
            await _until(
                lambda: quitter.refused_takes == 1 and patient.refused_takes == 1,
                "the waiters never tried",
            )
            # cancelled while blocked in Redis (its BLPOP), the case that must hand a token on
            deadline = time.monotonic() + 60
            while not any(
                c.get("name") == name and "b" in c.get("flags", "") for c in await raw.client_list()
            ):
                assert time.monotonic() < deadline, "the quitter never blocked in Redis"
                await asyncio.sleep(0.01)
            gives_up.cancel()
            with pytest.raises(asyncio.CancelledError):
                await gives_up
        await asyncio.wait_for(stays, 60)
        assert patient.wake_ups == 1
        assert patient.expired_waits == 0
    finally:
        for manager in (holder, quitter, patient):
            await manager.close()


@pytest.mark.asyncio
async def test_many_waiters_in_several_processes_each_acquire_exactly_once(
    redis_url: str, prefix: str, raw: aioredis.Redis
) -> None:
    managers = [_manager(redis_url, prefix) for _ in range(3)]  # three "processes"
    per_manager = 8
    served: list[tuple[str, int]] = []
    inside = 0
    most_inside = 0

    async def work(manager: RedisLockManager, name: str) -> None:
        nonlocal inside, most_inside
        async with manager.hold("r", timeout=120) as handle:
            inside += 1
            most_inside = max(most_inside, inside)
            assert handle.fencing_token is not None
            served.append((name, handle.fencing_token))
            await asyncio.sleep(0.02)  # some work under the lock
            inside -= 1

    try:
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    work(manager, f"m{m}-t{t}")
                    for m, manager in enumerate(managers)
                    for t in range(per_manager)
                )
            ),
            120,
        )
        releases = len(served)
        assert sorted(name for name, _ in served) == sorted(
            f"m{m}-t{t}" for m in range(3) for t in range(per_manager)
        )
        tokens = [token for _, token in served]
        assert tokens == sorted(tokens)
        assert len(set(tokens)) == releases
        assert most_inside == 1
        # Every wait ended with a release's token (at most one per release), none ran to its
        # bound: nobody polled.
        assert sum(m.expired_waits for m in managers) == 0
        assert sum(m.wake_ups for m in managers) == sum(m.refused_takes for m in managers)
        assert sum(m.wake_ups for m in managers) <= releases
        # A token left behind by the last release is deleted by the next take.
        async with managers[0].hold("r", timeout=10):
            assert await raw.exists(f"{prefix}wake:r") == 0
    finally:
        for manager in managers:
            await manager.close()


@pytest.mark.asyncio
async def test_a_waiter_cancelled_on_its_way_to_blocking_stops_at_once(
    redis_url: str, prefix: str
) -> None:
    """Cancelled anywhere between its refused take and its blocking call (new connections
    each round, so the driver is connecting too), a waiter ends at once: the room stays held
    all along, so a cancellation lost inside the driver would leave it waiting 60 s."""
    rng = random.Random(5)
    for round_ in range(40):
        holder, waiter = _manager(redis_url, prefix), _manager(redis_url, prefix)
        try:
            async with holder.hold(f"r{round_}", timeout=10):

                async def wait(manager: RedisLockManager, room: str) -> None:
                    async with manager.locked(room, timeout=60):
                        pytest.fail("took a held lock")

                task = asyncio.create_task(wait(waiter, f"r{round_}"))
                await _until(lambda m=waiter: m.refused_takes == 1, "the waiter never tried")
                await asyncio.sleep(rng.random() * 0.003)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await asyncio.wait_for(task, 30)
        finally:
            await holder.close()
            await waiter.close()
