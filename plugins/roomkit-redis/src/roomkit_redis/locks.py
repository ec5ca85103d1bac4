"""``RedisLockManager``: per-room leases in Redis.

* Taking a lock is ``SET key token NX PX lease``: the token is random per acquisition, the
  lease makes a lock whose holder died (crash, kill -9, partition) free again by itself.
* While the ``async with`` block runs, a renewal task extends the lease every third of it
  (compare-and-``PEXPIRE`` in Lua, so only the holder can extend).
* Release is compare-and-delete in Lua: a holder whose lease ran out can never delete the
  lock somebody else took since.
* Waiters poll with jittered back-off until their timeout; within one process, waiters for
  the same room first queue on a local ``asyncio.Lock`` so only one of them polls Redis.
* Every Redis call has a socket timeout; an acquisition interrupted half-way (cancellation,
  dropped connection) deletes its token in the background so the lease cannot linger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from roomkit.core.locks import SharedRoomLockManager, lock_timeout_error
from roomkit.errors import ConfigurationError, StoreError
from roomkit_redis.config import RedisLockManagerConfig

__all__ = ["RedisLockManager"]

log = logging.getLogger("roomkit_redis.locks")

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class RedisLockManager(SharedRoomLockManager):
    """A :class:`~roomkit.core.locks.RoomLockManager` shared through one Redis server.

    ``lease`` (seconds) is how long a lock outlives a holder that stopped renewing it;
    ``prefix`` namespaces the keys (``<prefix><room_id>``); ``timeout=None`` in :meth:`locked`
    waits at most ``default_timeout`` seconds. At most ``max_connections`` Redis connections
    are open at once; further calls wait (up to ``socket_timeout``) for a free one.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "roomkit:lock:",
        lease: float = 10.0,
        retry_interval: float = 0.02,
        socket_timeout: float = 5.0,
        default_timeout: float = 300.0,
        max_connections: int = 50,
        client: aioredis.Redis | None = None,
    ) -> None:
        if not url and client is None:
            raise ConfigurationError("RedisLockManager needs a url, e.g. redis://127.0.0.1:6379/0")
        if lease < 0.1:
            raise ConfigurationError("lease must be at least 0.1 seconds")
        if retry_interval <= 0 or socket_timeout <= 0 or default_timeout <= 0:
            raise ConfigurationError("retry_interval, socket_timeout, default_timeout must be > 0")
        super().__init__(default_timeout=default_timeout)
        self.url = url
        self.prefix = prefix
        self.lease = lease
        self._retry_interval = retry_interval
        self._max_poll = max(retry_interval, 0.05)
        self._client = client or aioredis.Redis(
            connection_pool=aioredis.BlockingConnectionPool.from_url(
                url,
                max_connections=max_connections,
                timeout=socket_timeout,
                socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout,
                health_check_interval=30,
            )
        )
        self._owns_client = client is None
        self._release = self._client.register_script(_RELEASE)
        self._renew = self._client.register_script(_RENEW)
        self._background: set[asyncio.Task[Any]] = set()
        #: How many leases were found lost while their block was still running.
        self.lost_leases = 0

    @classmethod
    def from_config(cls, config: RedisLockManagerConfig) -> RedisLockManager:
        """Build from a validated :class:`~roomkit_redis.config.RedisLockManagerConfig`."""
        return cls(
            config.url.get_secret_value(),
            prefix=config.prefix,
            lease=config.lease,
            retry_interval=config.retry_interval,
            socket_timeout=config.socket_timeout,
            default_timeout=config.default_timeout,
            max_connections=config.max_connections,
        )

    def key(self, room_id: str) -> str:
        """The Redis key of a room's lock."""
        return f"{self.prefix}{room_id}"

    @asynccontextmanager
    async def _backend_lock(
        self, room_id: str, deadline: float, timeout: float
    ) -> AsyncIterator[None]:
        """Hold the lease of ``room_id``, renewed in the background while the block runs."""
        key, token = self.key(room_id), secrets.token_hex(16)
        await self._acquire(key, token, room_id, deadline, timeout)
        renewal = asyncio.create_task(self._keep(key, token), name=f"roomkit-lease-{room_id}")
        try:
            yield
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            try:
                await asyncio.shield(self._release(keys=[key], args=[token]))
            except RedisError as exc:
                log.warning("releasing %s failed (%s); its lease will expire", key, exc)

    async def _acquire(
        self, key: str, token: str, room_id: str, deadline: float, timeout: float
    ) -> None:
        lease_ms = int(self.lease * 1000)
        delay = self._retry_interval
        last_error: RedisError | None = None
        while True:
            try:
                if await self._client.set(key, token, nx=True, px=lease_ms):
                    return
                last_error = None
            except asyncio.CancelledError:
                self._forget(key, token)
                raise
            except RedisError as exc:
                self._forget(key, token)  # the SET may have landed before the reply was lost
                last_error = exc
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if last_error is not None:
                    raise StoreError(f"Redis failed while locking {room_id!r}: {last_error}")
                raise lock_timeout_error(room_id, timeout)
            await asyncio.sleep(min(delay * (0.5 + random.random()), remaining))
            delay = min(delay * 1.5, self._max_poll)

    def _forget(self, key: str, token: str) -> None:
        task = asyncio.get_running_loop().create_task(self._drop(key, token))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _drop(self, key: str, token: str) -> None:
        with contextlib.suppress(RedisError):
            await self._release(keys=[key], args=[token])

    async def _keep(self, key: str, token: str) -> None:
        lease_ms = int(self.lease * 1000)
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                renewed = await self._renew(keys=[key], args=[token, lease_ms])
            except RedisError as exc:
                log.warning("renewing %s failed (%s); retrying", key, exc)
                continue
            if not renewed:
                self.lost_leases += 1
                log.error("the lease on %s was lost while held (expired or taken over)", key)
                return

    async def close(self) -> None:
        """Wait for background clean-ups and close the connection pool."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=5)
        if self._owns_client:
            await self._client.aclose()
