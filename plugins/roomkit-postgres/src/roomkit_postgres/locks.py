"""``PostgresLockManager``: per-room locks on PostgreSQL session advisory locks, fenced.

Each held lock owns one pooled connection for as long as it is held (advisory locks belong to
the session that took them). The room id is hashed to a 64-bit key (BLAKE2b, with a
configurable namespace). Waiting happens server-side with ``lock_timeout`` set to what is
left of the caller's timeout, and no call runs past that deadline; within one process, tasks
waiting for the same room first queue on a local ``asyncio.Lock`` so a busy room costs one
waiting connection, not one per task.

Fencing: right after the advisory lock is granted, the same statement draws ``nextval`` of the
sequence ``<schema>.roomkit_lock_fence`` (created on first use). A sequence only grows, so a
later holder of a room always has a greater token than an earlier one, whatever happened to
the earlier one's session.

Lost locks: if the holding session ends (``pg_terminate_backend``, a restart, a dropped
connection), PostgreSQL drops its advisory locks at once and another process may take the
room. The connection's termination listener marks the handle lost as soon as the driver sees
the connection close; ``handle.still_held()`` asks the session itself (``pg_locks``).

Failures never leak driver exceptions: an unreachable server or a failing statement while
taking the lock is a :class:`~roomkit.errors.LockBackendError`; a call cut short by the
caller's deadline is a :class:`~roomkit.errors.RoomLockTimeoutError`. Giving a lock back never
raises (the message it protected may already be committed): a failure is logged and the
connection is terminated instead of being returned to the pool, so a lock can never stay
behind on a pooled connection. If the process dies, PostgreSQL ends its sessions and the locks
go with them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from roomkit.core.locks import RoomLockHandle, SharedRoomLockManager, lock_timeout_error
from roomkit.errors import ConfigurationError, LockBackendError, RoomKitError
from roomkit_postgres._connection import DRIVER_ERRORS, connection_lost, create_pool, redact
from roomkit_postgres.config import PostgresLockManagerConfig
from roomkit_postgres.migrations import quote_schema

__all__ = ["FENCE_SEQUENCE", "PostgresLockManager", "advisory_key"]

log = logging.getLogger("roomkit_postgres.locks")

#: Name of the sequence the fencing tokens are drawn from (in the manager's ``schema``).
FENCE_SEQUENCE = "roomkit_lock_fence"

# Serialises the creation of the sequence between processes starting at once.
_CREATE_LOCK_KEY = 0x726B_6C6F_636B_7331  # "rklocks1"

_HELD = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND objsubid = 1 AND classid = $1::oid AND objid = $2::oid)"
)


def advisory_key(namespace: str, room_id: str) -> int:
    """The signed 64-bit advisory-lock key of a room."""
    digest = hashlib.blake2b(f"{namespace}\x00{room_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class _Session:
    """One held advisory lock: its connection, key and handle."""

    __slots__ = ("conn", "handle", "key", "listener", "manager", "verifying")

    def __init__(self, manager: PostgresLockManager, conn: Any, key: int, room_id: str) -> None:
        self.manager = manager
        self.conn = conn
        self.key = key
        self.handle = RoomLockHandle(room_id, verify=self.still_held)
        self.verifying = asyncio.Lock()  # one statement at a time on the connection
        self.listener = self._closed
        conn.add_termination_listener(self.listener)

    def _closed(self, _conn: object) -> None:
        self.handle.mark_lost("its database session ended (the connection closed)")

    async def still_held(self) -> bool:
        unsigned = self.key & 0xFFFF_FFFF_FFFF_FFFF
        async with self.verifying:
            try:
                async with asyncio.timeout(self.manager.command_timeout):
                    return bool(
                        await self.conn.fetchval(_HELD, unsigned >> 32, unsigned & 0xFFFF_FFFF)
                    )
            except TimeoutError as exc:
                raise LockBackendError(
                    f"PostgreSQL did not say within {self.manager.command_timeout}s whether "
                    f"the lock of room {self.handle.room_id!r} is still held"
                ) from exc
            except DRIVER_ERRORS as exc:
                if self._dead(exc):
                    return False  # the session ended, and its advisory locks with it
                raise LockBackendError(
                    f"cannot ask PostgreSQL whether the lock of room {self.handle.room_id!r} "
                    f"is still held: {exc}"
                ) from exc

    def _dead(self, exc: BaseException) -> bool:
        try:
            closed = bool(self.conn.is_closed())
        except asyncpg.InterfaceError:  # the pool already took the dead connection back
            closed = True
        return closed or connection_lost(exc)


class PostgresLockManager(SharedRoomLockManager):
    """A :class:`~roomkit.core.locks.RoomLockManager` shared by every process on one database.

    ``max_size`` bounds the connections used for held and waiting locks (one per room being
    worked on); ``namespace`` separates deployments sharing a database; ``schema`` holds the
    fencing sequence (created on first use: the role needs ``CREATE`` there, or create it in
    the deploy step with ``CREATE SEQUENCE <schema>.roomkit_lock_fence``). ``timeout=None`` in
    :meth:`locked` waits at most ``default_timeout`` seconds. ``connect_timeout`` bounds
    opening a connection and ``command_timeout`` giving a lock back or checking it (both are
    also cut short by the caller's lock timeout while taking a lock).
    """

    def __init__(
        self,
        dsn: str = "postgresql://postgres@127.0.0.1:5432/postgres",
        *,
        namespace: str = "roomkit",
        schema: str = "public",
        min_size: int = 1,
        max_size: int = 20,
        connect_timeout: float = 5.0,
        command_timeout: float = 5.0,
        default_timeout: float = 300.0,
    ) -> None:
        if not dsn:
            raise ConfigurationError("PostgresLockManager needs a dsn")
        if connect_timeout <= 0 or command_timeout <= 0:
            raise ConfigurationError("connect_timeout and command_timeout must be > 0")
        super().__init__(default_timeout=default_timeout)
        self.dsn = dsn
        self.namespace = namespace
        self.schema = schema
        self._sequence = f"{quote_schema(schema)}.{FENCE_SEQUENCE}"
        self._min_size, self._max_size = min_size, max_size
        self._connect_timeout = connect_timeout
        #: Seconds a give-back or a ``still_held`` check may take.
        self.command_timeout = command_timeout
        self._pool: asyncpg.Pool | None = None
        self._start_lock = asyncio.Lock()
        self._closed = False

    @classmethod
    def from_config(cls, config: PostgresLockManagerConfig) -> PostgresLockManager:
        """Build from a validated :class:`~roomkit_postgres.config.PostgresLockManagerConfig`."""
        return cls(
            config.dsn.get_secret_value(),
            namespace=config.namespace,
            schema=config.db_schema,
            min_size=config.min_size,
            max_size=config.max_size,
            connect_timeout=config.connect_timeout,
            command_timeout=config.command_timeout,
            default_timeout=config.default_timeout,
        )

    # -- the pool ----------------------------------------------------------------------------
    async def _get_pool(self) -> asyncpg.Pool:
        if self._closed:
            raise LockBackendError("the PostgresLockManager is closed")
        if self._pool is None:
            async with self._start_lock:
                if self._pool is None:
                    pool = await create_pool(
                        self.dsn,
                        schema="public",
                        min_size=self._min_size,
                        max_size=self._max_size,
                        command_timeout=self.command_timeout,
                        connect_timeout=self._connect_timeout,
                        application_name="roomkit-locks",
                    )
                    try:
                        await self._create_sequence(pool)
                    except BaseException:
                        pool.terminate()
                        raise
                    self._pool = pool
        return self._pool

    async def _create_sequence(self, pool: asyncpg.Pool) -> None:
        try:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _CREATE_LOCK_KEY)
                await conn.execute(f"CREATE SEQUENCE IF NOT EXISTS {self._sequence}")
        except DRIVER_ERRORS as exc:
            raise LockBackendError(
                f"cannot create the fencing sequence {self._sequence} at {redact(self.dsn)}: "
                f"{exc}; grant CREATE on schema {self.schema!r} or create it beforehand "
                f"(CREATE SEQUENCE {self._sequence})"
            ) from exc

    # -- the contract ------------------------------------------------------------------------
    @asynccontextmanager
    async def hold_in_backend(
        self, room_id: str, deadline: float, timeout: float
    ) -> AsyncIterator[RoomLockHandle]:
        """Hold the advisory lock of ``room_id`` on a connection of its own."""
        pool, conn = await self._connection(room_id, deadline, timeout)
        key = advisory_key(self.namespace, room_id)
        session = _Session(self, conn, key, room_id)
        clean = False
        try:
            token = await self._take(conn, key, room_id, deadline, timeout)
            if token is None:  # lock_timeout fired server-side: nothing held, connection fine
                clean = True
                raise lock_timeout_error(room_id, timeout)
            session.handle.fencing_token = token
            try:
                yield session.handle
            finally:
                clean = await self._give_back(session)
        finally:
            await self._hand_back(pool, session, clean)

    async def _connection(self, room_id: str, deadline: float, timeout: float) -> tuple[Any, Any]:
        """A pooled connection, within the deadline; typed errors only."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise lock_timeout_error(room_id, timeout)
        try:
            async with asyncio.timeout(remaining):
                pool = await self._get_pool()
                return pool, await pool.acquire()
        except TimeoutError:
            raise lock_timeout_error(room_id, timeout) from None  # pool busy or server slow
        except RoomKitError as exc:  # create_pool's StoreError, the closed manager ...
            if isinstance(exc, LockBackendError):
                raise
            raise LockBackendError(f"{exc}; room {room_id!r} was not locked") from exc
        except DRIVER_ERRORS as exc:
            raise LockBackendError(
                f"cannot reach PostgreSQL at {redact(self.dsn)} to lock room {room_id!r}: {exc}"
            ) from exc

    async def _take(
        self, conn: Any, key: int, room_id: str, deadline: float, timeout: float
    ) -> int | None:
        """Wait for the advisory lock server-side; returns the fencing token, or ``None`` when
        the server's ``lock_timeout`` ran out (the connection is then still clean)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise lock_timeout_error(room_id, timeout)
        try:
            async with asyncio.timeout(remaining), conn.transaction():
                await conn.execute(f"SET LOCAL lock_timeout = {max(int(remaining * 1000), 1)}")
                token = await conn.fetchval(
                    "WITH taken AS MATERIALIZED (SELECT pg_advisory_lock($1))"
                    f" SELECT nextval('{self._sequence}') FROM taken",
                    key,
                    timeout=remaining + self.command_timeout,  # the deadline above comes first
                )
        except asyncpg.exceptions.LockNotAvailableError:
            return None
        except TimeoutError:  # cut short by the deadline: the lock may just have been granted
            raise lock_timeout_error(room_id, timeout) from None
        except DRIVER_ERRORS as exc:
            raise LockBackendError(
                f"PostgreSQL failed while locking room {room_id!r}: {exc!r}"
            ) from exc
        return int(token)

    async def _give_back(self, session: _Session) -> bool:
        """Unlock; ``True`` when the connection is clean again. Never raises an error."""
        if session.handle.lost:
            return False
        try:
            async with asyncio.timeout(self.command_timeout):
                released = await session.conn.fetchval("SELECT pg_advisory_unlock($1)", session.key)
        except DRIVER_ERRORS as exc:  # TimeoutError included
            if session._dead(exc):
                session.handle.mark_lost("its database session ended while it was held")
            log.warning(
                "giving back the lock of room %r failed (%r); dropping its connection",
                session.handle.room_id,
                exc,
            )
            return False
        if not released:
            session.handle.mark_lost("its database session no longer held it")
        return bool(released)

    async def _hand_back(self, pool: Any, session: _Session, clean: bool) -> None:
        """Return the connection to the pool, ending its session first when it may still
        hold a lock. Never raises an error."""
        conn = session.conn
        try:
            conn.remove_termination_listener(session.listener)
            if not clean:
                conn.terminate()  # the session ends and PostgreSQL drops whatever it held
            await pool.release(conn, timeout=self.command_timeout)
        except DRIVER_ERRORS as exc:  # TimeoutError included; e.g. the pool already took it back
            log.debug("returning a lock connection to the pool: %r", exc)

    async def close(self) -> None:
        """Close the pool; locks still held are released by PostgreSQL with their sessions."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
