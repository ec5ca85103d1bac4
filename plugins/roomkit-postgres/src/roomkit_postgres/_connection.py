"""Connection pool set-up and the rule for which failures are worth one retry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg  # type: ignore[import-untyped]

from roomkit.errors import ConfigurationError, RoomKitError, StoreError
from roomkit_postgres._leases import Leases
from roomkit_postgres.migrations import quote_schema

__all__ = ["DRIVER_ERRORS", "connection_lost", "create_pool", "redact", "run_with_retry"]

log = logging.getLogger("roomkit_postgres")

T = TypeVar("T")

#: Every exception the driver raises for a failed call: server errors, client-side errors
#: (``InterfaceError``, ``InternalClientError``) and socket errors (``TimeoutError`` included,
#: as a subclass of ``OSError``: catch it first where it means something else).
DRIVER_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)

# A backend that was terminated (pg_terminate_backend, failover, restart) or a socket that
# dropped: the statement never ran to completion on a live connection, so running it again
# on a fresh one is the right thing to do (writes are idempotent, see the store).
_LOST = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
    OSError,
)


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the connection died (rather than the statement being wrong)."""
    if isinstance(exc, asyncpg.exceptions.InterfaceError | asyncpg.exceptions.InternalClientError):
        text = str(exc).lower()
        return "closed" in text or "connection" in text or "another operation" in text
    return isinstance(exc, _LOST)


def redact(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    if "@" not in dsn or "://" not in dsn:
        return dsn
    scheme, rest = dsn.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else f"{scheme}://{user}@{host}"


async def create_pool(
    dsn: str,
    *,
    schema: str,
    min_size: int,
    max_size: int,
    command_timeout: float,
    connect_timeout: float,
    application_name: str = "roomkit",
    synchronous_commit: bool = True,
    session_reset: bool = True,
) -> asyncpg.Pool:
    """A pool whose connections use ``schema`` as their search path.

    With ``session_reset=False`` a connection given back to the pool is not reset with
    asyncpg's reset query (``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``), a
    round trip per release; asyncpg still rolls back a transaction left open. Only for pools
    whose users never leave session state behind (no advisory locks, LISTEN, session ``SET``
    or cursors outside a transaction), as the store's queries.
    """
    if min_size < 0 or max_size < 1 or min_size > max_size:
        raise ConfigurationError(
            f"pool sizes must satisfy 0 <= min_size <= max_size and max_size >= 1 "
            f"(got min_size={min_size}, max_size={max_size})"
        )
    try:
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            command_timeout=command_timeout,
            timeout=connect_timeout,
            reset=None if session_reset else _keep_session,
            server_settings={
                "search_path": quote_schema(schema),
                "application_name": application_name,
                "synchronous_commit": "on" if synchronous_commit else "off",
            },
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise StoreError(f"cannot connect to PostgreSQL at {redact(dsn)}: {exc}") from exc
    return pool


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset for connections that keep no session state: nothing to undo."""


async def run_with_retry(
    pool: asyncpg.Pool,
    op: Callable[[asyncpg.Connection, bool], Awaitable[T]],
    *,
    acquire_timeout: float,
    what: str,
    leases: Leases | None = None,
) -> T:
    """Run ``op(connection, is_retry)``; when the connection is lost, run it once more on a
    fresh connection (every pooled connection is replaced after such a loss).

    Errors that are not :class:`RoomKitError` become :class:`StoreError` naming ``what``.

    With ``leases`` a connection kept from an earlier call is used first, and the connection
    is kept again after a successful call (see :mod:`roomkit_postgres._leases`); a connection
    a call failed on always goes back to the pool, which resets or replaces it.

    ``acquire_timeout`` bounds the wait for a free connection; while the pool holds an idle
    one there is nothing to wait for, and the connection is taken without arming a timer
    (a timer costs more CPU than the rest of the acquire). Connecting a fresh connection
    is bounded by the pool's own connect timeout either way.
    """
    for attempt in (0, 1):
        died = False
        try:
            conn = leases.take() if leases is not None and not attempt else None
            if conn is None:
                timeout = acquire_timeout if attempt or not pool.get_idle_size() else None
                conn = await pool.acquire(timeout=timeout)
            try:
                result = await op(conn, attempt > 0)
            except BaseException as exc:
                if isinstance(exc, Exception):
                    try:
                        died = conn.is_closed()
                    except asyncpg.InterfaceError:  # the pool already took the dead one back
                        died = True
                await pool.release(conn)
                raise
            if leases is None or not leases.give(conn):
                await pool.release(conn)
            return result
        except RoomKitError:
            raise
        except asyncio.CancelledError:
            raise
        except TimeoutError as exc:
            raise StoreError(f"PostgreSQL did not answer in time ({what})") from exc
        except Exception as exc:
            if attempt == 0 and (died or connection_lost(exc)):
                log.warning("PostgreSQL connection lost during %s; retrying once: %s", what, exc)
                # a terminated backend rarely dies alone (restart, failover): renew them all
                if leases is not None:
                    await leases.drain()
                await pool.expire_connections()
                continue
            if isinstance(exc, asyncpg.exceptions.UntranslatableCharacterError):
                raise StoreError(
                    f"PostgreSQL cannot store this value ({what}): {exc}; remove NUL characters"
                ) from exc
            raise StoreError(f"PostgreSQL error during {what}: {exc}") from exc
    raise AssertionError("unreachable")  # pragma: no cover
