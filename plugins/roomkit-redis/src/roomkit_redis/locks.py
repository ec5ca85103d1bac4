"""``RedisLockManager``: per-room leases in Redis, fenced.

* Taking a lock is one Lua script: ``SET <prefix>lock:<room> holder NX PX lease`` and, when it
  succeeds, the acquisition's fencing token: the Redis clock in microseconds, or the room's
  previous token (``<prefix>fence:<room>``) plus one when that is greater. Tokens therefore
  keep growing after the key expired (it lives a week after the room's last lock) or Redis
  lost its data, and tokens drawn under another prefix of the same Redis follow the order of
  acquisition (a process configured with another prefix does not get every write refused
  because its counter started earlier). The holder value is random per acquisition; the
  lease frees the lock of a holder that died (crash, kill -9, partition).
* While the ``async with`` block runs, a renewal task extends the lease every third of it
  (compare-and-``PEXPIRE`` in Lua, so only the holder can extend). A refused renewal, or a
  lease that ran out before it could be renewed (the holder's event loop was blocked), marks
  the handle lost; ``handle.still_held()`` asks Redis at once.
* Release is compare-and-delete in Lua: a holder whose lease ran out can never delete the
  lock somebody else took since. Giving a lock back never raises; failures are logged.
* Waiters do not poll: a take that finds the room locked marks it contended
  (``<prefix>wait:<room>``, a flag that expires) and answers how long the lease has left; the
  waiter then blocks on the room's wake list (``BLPOP <prefix>wake:<room>``). A release that
  finds the room contended pushes one wake token in the same script, so the next waiter takes
  the lock one round trip after the release; a take deletes tokens left behind. A waiter
  blocks at most until the holder's lease could have run out (a dead holder never releases)
  and at most ``lease`` seconds, so a lost token costs one late retry, never a stuck room.
  Blocking waits use connections of their own (at most ``max_connections`` of them), so held
  locks are always renewed and released on the main pool. Within one process, waiters for the
  same room first queue on a local ``asyncio.Lock`` so only one of them waits in Redis.
* No Redis call runs past the caller's lock timeout (a call it cuts short ends in
  :class:`~roomkit.errors.RoomLockTimeoutError`). When Redis refuses connections, resets them
  twice in a row, lets a reply wait longer than ``socket_timeout`` or answers with an error,
  locking fails at once with :class:`~roomkit.errors.LockBackendError` instead of polling
  until the lock timeout. An
  acquisition interrupted half-way deletes its holder value in the background so the lease
  cannot linger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from roomkit.core.locks import RoomLockHandle, SharedRoomLockManager, lock_timeout_error
from roomkit.errors import ConfigurationError, LockBackendError, RoomLockTimeoutError
from roomkit_redis.config import RedisLockManagerConfig

__all__ = ["RedisLockManager", "redact_url"]

log = logging.getLogger("roomkit_redis.locks")

_FENCE_TTL_MS = 7 * 24 * 3600 * 1000

# KEYS: lock, fence, wait flag, wake list. ARGV: holder, lease ms, fence ttl ms, wait ttl ms.
# Returns {fencing token, 0} when taken, {0, the lock's remaining lease in ms} when not (the
# room is then flagged contended). Tokens (microseconds since 1970, ~2**51) are exact in Lua's
# doubles.
_TAKE = """
if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    redis.call('set', KEYS[3], '1', 'PX', ARGV[4])
    return {0, redis.call('pttl', KEYS[1])}
end
redis.call('del', KEYS[4])
local now = redis.call('time')
local token = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('get', KEYS[2]) or '0')
if last >= token then
    token = last + 1
end
redis.call('set', KEYS[2], string.format('%.0f', token), 'PX', ARGV[3])
return {token, 0}
"""

# KEYS: lock, wait flag, wake list. ARGV: holder, wait ttl ms. Compare-and-delete; a room that
# has waiters gets one wake token (never more than one queued).
_RELEASE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
    return 0
end
redis.call('del', KEYS[1])
if redis.call('exists', KEYS[2]) == 1 and redis.call('llen', KEYS[3]) == 0 then
    redis.call('rpush', KEYS[3], '1')
    redis.call('pexpire', KEYS[3], ARGV[2])
end
return 1
"""

# KEYS: lock, wait flag, wake list. ARGV: wait ttl ms. A waiter gave up after its wake token
# may have been popped: hand a token on if the room is free and still has waiters.
_NUDGE = """
if redis.call('exists', KEYS[1]) == 0 and redis.call('exists', KEYS[2]) == 1
        and redis.call('llen', KEYS[3]) == 0 then
    redis.call('rpush', KEYS[3], '1')
    redis.call('pexpire', KEYS[3], ARGV[1])
    return 1
end
return 0
"""

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


def redact_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}:***@{host}{port}").geturl()


class _Lease:
    """One acquisition: its key, holder value and handle.

    ``handle.valid_until`` is the :func:`time.monotonic` time after which the lease may have
    run out unless renewed: the time a successful ``SET``/``PEXPIRE`` was *sent*, plus the lease.
    """

    __slots__ = ("handle", "holder", "key")

    def __init__(
        self, manager: RedisLockManager, room_id: str, token: int, holder: str, sent: float
    ) -> None:
        self.key = manager.key(room_id)
        self.holder = holder
        self.handle = RoomLockHandle(room_id, token, verify=partial(manager._verify, self))
        self.handle.valid_until = sent + manager.lease


class RedisLockManager(SharedRoomLockManager):
    """A :class:`~roomkit.core.locks.RoomLockManager` shared through one Redis server.

    ``lease`` (seconds) is how long a lock outlives a holder that stopped renewing it;
    ``prefix`` namespaces the keys (``<prefix>lock:<room_id>``, ``<prefix>fence:<room_id>``,
    and, for waiters, ``<prefix>wait:<room_id>`` and ``<prefix>wake:<room_id>``);
    ``timeout=None`` in :meth:`locked` waits at most ``default_timeout`` seconds.
    ``connect_timeout`` bounds opening a connection and ``socket_timeout`` every reply (a
    blocking wait's connection allows its block time on top); both are also cut short by the
    caller's lock timeout. At most ``max_connections`` Redis connections are open at once for
    taking, renewing and releasing locks, and as many again for waiters blocked on a busy room;
    further calls wait for a free one (within the lock timeout). ``retry_interval`` is the pause
    before trying again after a wait failed on a Redis error. ``client_name`` names the
    connections in ``CLIENT LIST``. With ``client=`` every call, waits included, goes through
    that client, and a wait blocks at most half its ``socket_timeout``.

    Counters (for benchmarks and tests): ``refused_takes`` counts takes that found the room
    locked, ``wake_ups`` waits ended by a release's wake token, ``expired_waits`` waits that
    ran to their bound (the lease could have expired, or the token went elsewhere).
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "roomkit:",
        lease: float = 10.0,
        retry_interval: float = 0.02,
        socket_timeout: float = 5.0,
        connect_timeout: float = 2.0,
        default_timeout: float = 300.0,
        max_connections: int = 50,
        client_name: str = "roomkit-locks",
        client: aioredis.Redis | None = None,
    ) -> None:
        if not url and client is None:
            raise ConfigurationError("RedisLockManager needs a url, e.g. redis://127.0.0.1:6379/0")
        if lease < 0.1:
            raise ConfigurationError("lease must be at least 0.1 seconds")
        if min(retry_interval, socket_timeout, connect_timeout, default_timeout) <= 0:
            raise ConfigurationError(
                "retry_interval, socket_timeout, connect_timeout and default_timeout must be > 0"
            )
        super().__init__(default_timeout=default_timeout)
        self.url = url
        self.prefix = prefix
        self.lease = lease
        self._retry_interval = retry_interval
        self._socket_timeout = socket_timeout
        self._where = redact_url(url) if url else "the given client"
        # A waiter blocks at most this long before trying again (the safety net for a wake
        # token that went elsewhere); its connection's read timeout allows for it.
        self._max_block = lease if client is None else min(lease, socket_timeout / 2)
        # How long a room stays flagged contended after a refused take, and a wake token lives.
        self._wait_ttl_ms = int((2 * self._max_block + socket_timeout) * 1000)

        def pool(read_timeout: float) -> aioredis.Redis:
            return aioredis.Redis(
                connection_pool=aioredis.BlockingConnectionPool.from_url(
                    url,
                    max_connections=max_connections,
                    timeout=None,  # waiting for a free connection is bounded by the deadline
                    socket_timeout=read_timeout,
                    socket_connect_timeout=connect_timeout,
                    health_check_interval=30,
                    client_name=client_name,
                )
            )

        self._client = client or pool(socket_timeout)
        self._waiting = client or pool(socket_timeout + self._max_block)
        self._owns_client = client is None
        self._take = self._client.register_script(_TAKE)
        self._release = self._client.register_script(_RELEASE)
        self._renew = self._client.register_script(_RENEW)
        self._nudge = self._client.register_script(_NUDGE)
        self._background: set[asyncio.Future[Any]] = set()
        #: Takes that found the room locked (each is followed by one wait).
        self.refused_takes = 0
        #: Waits ended by a wake token pushed by a release.
        self.wake_ups = 0
        #: Waits that ran to their bound without a wake token.
        self.expired_waits = 0

    @classmethod
    def from_config(cls, config: RedisLockManagerConfig) -> RedisLockManager:
        """Build from a validated :class:`~roomkit_redis.config.RedisLockManagerConfig`."""
        return cls(
            config.url.get_secret_value(),
            prefix=config.prefix,
            lease=config.lease,
            retry_interval=config.retry_interval,
            socket_timeout=config.socket_timeout,
            connect_timeout=config.connect_timeout,
            default_timeout=config.default_timeout,
            max_connections=config.max_connections,
            client_name=config.client_name,
        )

    def key(self, room_id: str) -> str:
        """The Redis key of a room's lock (it exists while the room is locked)."""
        return f"{self.prefix}lock:{room_id}"

    def fence_key(self, room_id: str) -> str:
        """The Redis key of a room's fencing-token counter."""
        return f"{self.prefix}fence:{room_id}"

    def _wait_keys(self, room_id: str) -> list[str]:
        """The room's lock key, contended flag and wake list."""
        return [self.key(room_id), f"{self.prefix}wait:{room_id}", f"{self.prefix}wake:{room_id}"]

    @asynccontextmanager
    async def hold_in_backend(
        self, room_id: str, deadline: float, timeout: float
    ) -> AsyncIterator[RoomLockHandle]:
        """Hold the lease of ``room_id``, renewed in the background while the block runs."""
        lease = await self._acquire(room_id, deadline, timeout)
        renewal = asyncio.create_task(self._keep(lease), name=f"roomkit-lease-{room_id}")
        try:
            yield lease.handle
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            await self._give_back(lease)

    # -- taking ------------------------------------------------------------------------------
    async def _acquire(self, room_id: str, deadline: float, timeout: float) -> _Lease:
        key, wait_key, wake_key = self._wait_keys(room_id)
        keys = [key, self.fence_key(room_id), wait_key, wake_key]
        answered = False  # Redis replied at least once: the room is busy, Redis is fine
        resets = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise lock_timeout_error(room_id, timeout)
            # A holder value per attempt: the background delete of an attempt that failed
            # half-way (``_forget``) must never delete the lock a later attempt took.
            holder = secrets.token_hex(16)
            args: list[str | int] = [
                holder,
                int(self.lease * 1000),
                _FENCE_TTL_MS,
                self._wait_ttl_ms,
            ]
            try:
                async with asyncio.timeout(remaining):  # the clean-up counts, too
                    if resets:  # pooled connections may have gone stale (Redis restarted)
                        with contextlib.suppress(RedisError, OSError):
                            await self._client.connection_pool.disconnect(inuse_connections=False)
                    sent = time.monotonic()
                    token, left_ms = await self._take(keys=keys, args=args)
            except TimeoutError:  # the caller's deadline cut the call short
                self._forget(room_id, holder)  # the SET may have landed
                self._raise_if_cancelled()
                if answered:
                    raise lock_timeout_error(room_id, timeout) from None
                raise RoomLockTimeoutError(
                    f"room {room_id!r} could not be locked within {timeout}s: Redis at "
                    f"{self._where} did not answer in that time"
                ) from None
            except asyncio.CancelledError:
                self._forget(room_id, holder)
                raise
            except RedisConnectionError as exc:
                self._forget(room_id, holder)
                resets += 1
                if resets == 1:
                    continue  # one more try, on a fresh connection
                raise self._unreachable(room_id, exc) from exc
            except RedisError as exc:  # a read timed out, or Redis answered with an error
                self._forget(room_id, holder)
                raise self._unreachable(room_id, exc) from exc
            if token:
                return _Lease(self, room_id, int(token), holder, sent)
            answered, resets = True, 0
            self.refused_takes += 1
            await self._wait_for_release(room_id, int(left_ms), deadline, timeout)

    async def _wait_for_release(
        self, room_id: str, left_ms: int, deadline: float, timeout: float
    ) -> None:
        """Block until a release hands this process a wake token, the holder's lease may have
        run out (``left_ms``, ``-1``: no expiry), or ``lease`` seconds passed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise lock_timeout_error(room_id, timeout)
        block = min(remaining, self._max_block)
        if left_ms >= 0:
            block = min(block, left_ms / 1000 + 0.002)  # just after a dead holder's lease ends
        wake_key = self._wait_keys(room_id)[2]
        # The blocking call runs in a task of its own, so a cancellation or the deadline
        # interrupts the wait at once, wherever inside the driver the call is.
        blpop = asyncio.ensure_future(
            self._waiting.blpop([wake_key], timeout=max(round(block, 3), 0.001))  # 0: forever
        )
        try:
            done, _ = await asyncio.wait({blpop}, timeout=remaining)
        except asyncio.CancelledError:
            self._abandon(blpop, room_id)
            raise
        if not done:  # the deadline came first
            self._abandon(blpop, room_id)
            raise lock_timeout_error(room_id, timeout)
        try:
            popped = blpop.result()
        except (RedisError, OSError) as exc:  # the next take says whether Redis is fine
            self._hand_on(room_id)
            log.debug("waiting for room %r failed (%r); trying again", room_id, exc)
            await asyncio.sleep(min(self._retry_interval, max(deadline - time.monotonic(), 0)))
            return
        if popped is None:
            self.expired_waits += 1
        else:
            self.wake_ups += 1

    @staticmethod
    def _raise_if_cancelled() -> None:
        """A cancellation of the caller that surfaced as a ``TimeoutError`` (nested timeouts
        of the driver) stays a cancellation."""
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise asyncio.CancelledError

    def _abandon(self, blpop: asyncio.Future[Any], room_id: str) -> None:
        """Stop a wait nobody awaits any more; a wake token it popped (now, or later if the
        driver finishes the call anyway) is handed on to the room's other waiters."""
        blpop.cancel()
        self._background.add(blpop)  # kept until it ended; close() waits for it
        blpop.add_done_callback(self._background.discard)
        self._hand_on(room_id)

        def popped_late(done: asyncio.Future[Any]) -> None:
            if not done.cancelled() and done.exception() is None and done.result() is not None:
                self._hand_on(room_id)

        blpop.add_done_callback(popped_late)

    def _hand_on(self, room_id: str) -> None:
        """In the background: give the room's waiters a token if it is free (this waiter may
        have popped one it will not use)."""

        async def nudge() -> None:
            with contextlib.suppress(RedisError, TimeoutError, OSError):
                async with asyncio.timeout(self._socket_timeout):
                    await self._nudge(keys=self._wait_keys(room_id), args=[self._wait_ttl_ms])

        self._in_background(nudge())

    def _unreachable(self, room_id: str, exc: Exception) -> LockBackendError:
        return LockBackendError(
            f"Redis at {self._where} failed while locking room {room_id!r}: {exc}; "
            "no message is processed without its room lock (is Redis running?)"
        )

    # -- holding -----------------------------------------------------------------------------
    async def _renew_once(self, lease: _Lease) -> bool:
        """Extend the lease if it is still this holder's; ``False`` when it is not."""
        sent = time.monotonic()
        async with asyncio.timeout(self._socket_timeout):
            renewed = await self._renew(
                keys=[lease.key], args=[lease.holder, int(self.lease * 1000)]
            )
        if renewed:
            lease.handle.valid_until = sent + self.lease
            return True
        lease.handle.mark_lost("its lease expired or was taken over by another holder")
        return False

    async def _verify(self, lease: _Lease) -> bool:
        try:
            return await self._renew_once(lease)
        except (RedisError, TimeoutError) as exc:
            raise LockBackendError(
                f"cannot ask Redis at {self._where} whether {lease.key} is still held: {exc!r}"
            ) from exc

    async def _keep(self, lease: _Lease) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            if lease.handle.lost:
                # The loop was blocked (or Redis unreachable) for a whole lease: somebody else
                # may hold the room now, whatever Redis says later.
                return
            try:
                if not await self._renew_once(lease):
                    return
            except (RedisError, TimeoutError) as exc:
                log.warning("renewing %s failed (%r); retrying", lease.key, exc)

    # -- giving back -------------------------------------------------------------------------
    async def _give_back(self, lease: _Lease) -> None:
        """Compare-and-delete; never raises (a lease that cannot be deleted expires)."""
        try:
            deleted = await self._shielded(self._release_call(lease.handle.room_id, lease.holder))
        except (RedisError, TimeoutError) as exc:
            log.warning("releasing %s failed (%r); its lease will expire", lease.key, exc)
            return
        if not deleted:
            lease.handle.mark_lost("its lease expired or was taken over by another holder")

    async def _release_call(self, room_id: str, holder: str) -> Any:
        async with asyncio.timeout(self._socket_timeout):
            return await self._release(
                keys=self._wait_keys(room_id), args=[holder, self._wait_ttl_ms]
            )

    async def _shielded(self, call: Coroutine[Any, Any, Any]) -> Any:
        """Run ``call`` to its end even when the caller is cancelled meanwhile."""
        task = asyncio.get_running_loop().create_task(call)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return await asyncio.shield(task)

    def _in_background(self, call: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(call)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _forget(self, room_id: str, holder: str) -> None:
        self._in_background(self._drop(room_id, holder))

    async def _drop(self, room_id: str, holder: str) -> None:
        with contextlib.suppress(RedisError, TimeoutError):
            await self._release_call(room_id, holder)

    async def close(self) -> None:
        """Wait (at most 2 s) for background clean-ups, then close the connection pool.

        A clean-up cut short leaves a lease that expires by itself.
        """
        if self._background:
            _, late = await asyncio.wait(
                set(self._background), timeout=min(self._socket_timeout, 2.0)
            )
            for task in late:
                task.cancel()
        if self._owns_client:
            await self._client.aclose()
            await self._waiting.aclose()
