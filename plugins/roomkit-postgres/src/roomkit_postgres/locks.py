"""``PostgresLockManager``: per-room locks on PostgreSQL session advisory locks.

Each held lock owns one pooled connection for as long as it is held (advisory locks belong to
the session that took them). The room id is hashed to a 64-bit key (BLAKE2b, with a
configurable namespace). Waiting happens server-side with ``lock_timeout`` set to what is
left of the caller's timeout; within one process, tasks waiting for the same room first queue
on a local ``asyncio.Lock`` so a busy room costs one waiting connection, not one per task.

If the process dies, PostgreSQL ends its sessions and the locks go with them. If anything
goes wrong while taking or giving back a lock (cancellation, a dropped connection), the
connection is terminated instead of being returned to the pool, so a lock can never stay
behind on a pooled connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]

from roomkit.core.locks import SharedRoomLockManager, lock_timeout_error
from roomkit.errors import ConfigurationError, RoomLockTimeoutError, StoreError
from roomkit_postgres._connection import create_pool
from roomkit_postgres.config import PostgresLockManagerConfig

__all__ = ["PostgresLockManager", "advisory_key"]

log = logging.getLogger("roomkit_postgres.locks")


def advisory_key(namespace: str, room_id: str) -> int:
    """The signed 64-bit advisory-lock key of a room."""
    digest = hashlib.blake2b(f"{namespace}\x00{room_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresLockManager(SharedRoomLockManager):
    """A :class:`~roomkit.core.locks.RoomLockManager` shared by every process on one database.

    ``max_size`` bounds the connections used for held and waiting locks (one per room being
    worked on); ``namespace`` separates deployments sharing a database. ``timeout=None`` in
    :meth:`locked` waits at most ``default_timeout`` seconds.
    """

    def __init__(
        self,
        dsn: str = "postgresql://postgres@127.0.0.1:5432/postgres",
        *,
        namespace: str = "roomkit",
        min_size: int = 1,
        max_size: int = 20,
        connect_timeout: float = 10.0,
        default_timeout: float = 300.0,
    ) -> None:
        if not dsn:
            raise ConfigurationError("PostgresLockManager needs a dsn")
        super().__init__(default_timeout=default_timeout)
        self.dsn = dsn
        self.namespace = namespace
        self._min_size, self._max_size = min_size, max_size
        self._connect_timeout = connect_timeout
        self._pool: asyncpg.Pool | None = None
        self._start_lock = asyncio.Lock()
        self._closed = False

    @classmethod
    def from_config(cls, config: PostgresLockManagerConfig) -> PostgresLockManager:
        """Build from a validated :class:`~roomkit_postgres.config.PostgresLockManagerConfig`."""
        return cls(
            config.dsn.get_secret_value(),
            namespace=config.namespace,
            min_size=config.min_size,
            max_size=config.max_size,
            connect_timeout=config.connect_timeout,
            default_timeout=config.default_timeout,
        )

    async def _get_pool(self) -> asyncpg.Pool:
        if self._closed:
            raise StoreError("the PostgresLockManager is closed")
        if self._pool is None:
            async with self._start_lock:
                if self._pool is None:
                    self._pool = await create_pool(
                        self.dsn,
                        schema="public",
                        min_size=self._min_size,
                        max_size=self._max_size,
                        command_timeout=self._default_timeout + 5,
                        connect_timeout=self._connect_timeout,
                        application_name="roomkit-locks",
                    )
        return self._pool

    @asynccontextmanager
    async def _backend_lock(
        self, room_id: str, deadline: float, timeout: float
    ) -> AsyncIterator[None]:
        """Hold the advisory lock of ``room_id`` on a connection of its own."""
        pool = await self._get_pool()
        key = advisory_key(self.namespace, room_id)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise lock_timeout_error(room_id, timeout)
        try:
            conn = await pool.acquire(timeout=remaining)
        except TimeoutError:
            raise lock_timeout_error(room_id, timeout) from None
        clean = False
        try:
            try:
                await self._take(conn, key, room_id, deadline, timeout)
            except RoomLockTimeoutError:
                clean = True  # lock_timeout fired: nothing is held, the connection is fine
                raise
            try:
                yield
            finally:
                clean = await self._give_back(conn, key)
        finally:
            # A proxy the pool already took back (its connection died) refuses both calls.
            with contextlib.suppress(asyncpg.InterfaceError):
                if not clean:
                    conn.terminate()  # the session ends and PostgreSQL drops whatever it held
                await pool.release(conn)

    @staticmethod
    async def _take(
        conn: asyncpg.Connection, key: int, room_id: str, deadline: float, timeout: float
    ) -> None:
        remaining_ms = int((deadline - time.monotonic()) * 1000)
        if remaining_ms <= 0:
            raise lock_timeout_error(room_id, timeout)
        try:
            async with conn.transaction():
                await conn.execute(f"SET LOCAL lock_timeout = {remaining_ms}")
                await conn.execute("SELECT pg_advisory_lock($1)", key)
        except asyncpg.exceptions.LockNotAvailableError:
            raise lock_timeout_error(room_id, timeout) from None
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise StoreError(f"could not take the lock of room {room_id!r}: {exc}") from exc

    @staticmethod
    async def _give_back(conn: asyncpg.Connection, key: int) -> bool:
        try:
            released = await asyncio.wait_for(
                conn.fetchval("SELECT pg_advisory_unlock($1)", key), 5
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            log.warning("releasing an advisory lock failed (%s); dropping the connection", exc)
            return False
        if not released:
            log.warning("advisory lock was no longer held (its connection was reset)")
        return bool(released)

    async def close(self) -> None:
        """Close the pool; locks still held are released by PostgreSQL with their sessions."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
