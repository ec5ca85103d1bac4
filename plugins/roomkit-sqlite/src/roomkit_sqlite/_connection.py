"""The connection under :class:`~roomkit_sqlite.store.SQLiteStore`: opening, and running calls.

One ``sqlite3`` connection. Every call is a single function of that connection, run **inline on
the event loop's thread**: the statements are short (a few microseconds each, WAL with
``synchronous=NORMAL`` does not sync on commit), so a thread hop would cost more than the work.

Durability: the file runs in WAL mode with ``synchronous=NORMAL`` by default. A committed write
survives the process crashing (it is in the WAL file before the commit returns); after a power
loss or an operating-system crash the last transactions before it may be missing (the WAL is
synced at checkpoints, not at every commit), and the file is never corrupted.
``synchronous="FULL"`` syncs the WAL at every commit, so a write that returned survives a power
loss too, for one ``fsync`` per write (from well under a millisecond to several on slow disks).
Inline calls never wait for a lock: the connection's busy timeout is 0 there, and a call that
finds the file locked by another process (SQLite's ``BUSY``; its transaction was rolled back,
nothing was written) runs again on a dedicated worker thread that waits up to ``busy_timeout``,
so the loop never blocks on another process. While work is queued on that thread, later calls
queue behind it (one user of the connection at a time, in call order).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from roomkit.errors import RoomKitError, StoreError
from roomkit_sqlite._schema import apply_schema

__all__ = ["DEFAULT_PATH", "SYNCHRONOUS", "SQLiteConnection"]

T = TypeVar("T")

#: The database file used when no ``path`` is given: relative, so in the current directory.
DEFAULT_PATH = "roomkit.db"

#: The ``synchronous`` settings offered (see the module docstring).
SYNCHRONOUS = ("NORMAL", "FULL")

logger = logging.getLogger("roomkit_sqlite")


class SQLiteConnection:
    """One SQLite file's connection and how store calls run on it (see the module docstring).

    ``path`` is the database file (created with its schema when missing); ``":memory:"`` keeps
    the data in memory. ``busy_timeout`` is how long a write waits for another process holding
    the file's write lock before failing with :class:`StoreError`. ``synchronous`` is
    ``"NORMAL"`` (default) or ``"FULL"`` (see the module docstring).
    """

    def __init__(
        self,
        path: str | Path = DEFAULT_PATH,
        *,
        busy_timeout: float = 5.0,
        synchronous: str = "NORMAL",
    ) -> None:
        if isinstance(path, str) and not path:
            raise StoreError("SQLiteStore needs a file path (or ':memory:')")
        if busy_timeout <= 0:
            raise StoreError("busy_timeout must be a positive number of seconds")
        if not isinstance(synchronous, str) or synchronous.upper() not in SYNCHRONOUS:
            raise StoreError(
                f"synchronous must be one of {', '.join(SYNCHRONOUS)}, not {synchronous!r}"
            )
        self.path = str(path)
        self.synchronous = synchronous.upper()
        self._busy_timeout = busy_timeout
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        # the statements every message runs (transactions, add_event, the snapshot check) go
        # through one cursor returning plain tuples: a cursor and a Row object fewer each
        self._cursor: sqlite3.Cursor | None = None
        self._queued: Future[Any] | None = None  # the last call handed to the worker thread
        self._closed = False
        self._open_lock = asyncio.Lock()

    def _open(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            file = Path(self.path)
            file.parent.mkdir(parents=True, exist_ok=True)
            if not file.exists():
                note = (
                    " (the default path; pass path= to choose)" if self.path == DEFAULT_PATH else ""
                )
                logger.info("SQLiteStore: creating database file %s%s", file.resolve(), note)
        conn = sqlite3.connect(
            self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        apply_schema(conn)
        return conn

    async def _start(self) -> sqlite3.Connection:
        async with self._open_lock:
            if self._closed:
                raise StoreError("the SQLiteStore is closed")
            if self._conn is None:
                executor = ThreadPoolExecutor(1, thread_name_prefix="roomkit-sqlite")
                loop = asyncio.get_running_loop()
                try:
                    conn = await loop.run_in_executor(executor, self._open)
                except (sqlite3.Error, OSError) as exc:
                    executor.shutdown(wait=False)
                    raise StoreError(f"cannot open SQLite database {self.path!r}: {exc}") from exc
                conn.execute("PRAGMA busy_timeout = 0")  # inline calls never wait (see _run)
                cursor = conn.cursor()
                cursor.row_factory = None
                self._executor, self._conn, self._cursor = executor, conn, cursor
            return self._conn

    async def _run(
        self,
        func: Callable[[sqlite3.Connection], T],
        *,
        write: bool = False,
        after: Callable[[T], object] | None = None,
    ) -> T:
        """``func(connection)`` (in one ``BEGIN IMMEDIATE`` transaction when ``write``), then
        ``after(result)`` once that transaction is committed.

        Inline when no call is queued on the worker thread; on the thread (waiting up to
        ``busy_timeout`` for another process's lock) after an inline ``BUSY`` and while
        earlier calls are queued there. Either way calls (``after`` included) run one at a
        time in call order, so ``func`` and ``after`` may use state kept beside the connection.
        """
        conn = self._conn
        if conn is None:
            if self._closed:
                raise StoreError("the SQLiteStore is closed")
            conn = await self._start()
        queued = self._queued
        try:
            if queued is None or queued.done():
                try:
                    return _call(conn, self._cursor, func, write, after)
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise
                    # another process holds the lock: wait for it on the worker thread
            return await self._in_thread(conn, func, write, after)
        except RoomKitError:
            raise
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"constraint violated: {exc}") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite error on {self.path!r}: {exc}") from exc
        except Exception as exc:  # nothing but a RoomKitError leaves a store method
            raise StoreError(
                f"SQLite store failed on {self.path!r}: {type(exc).__name__}: {exc}"
            ) from exc

    async def _in_thread(
        self,
        conn: sqlite3.Connection,
        func: Callable[[sqlite3.Connection], T],
        write: bool,
        after: Callable[[T], object] | None,
    ) -> T:
        if self._closed or self._executor is None:
            raise StoreError("the SQLiteStore is closed")
        wait_ms = int(self._busy_timeout * 1000)

        def waiting() -> T:
            conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
            try:
                return _call(conn, self._cursor, func, write, after)
            finally:
                conn.execute("PRAGMA busy_timeout = 0")

        # The executor runs one call at a time in submission order, so once the last one
        # submitted is done the connection is free again for inline calls (even when the
        # caller awaiting it was cancelled: the future completes when the thread is done).
        future: Future[T] = self._executor.submit(waiting)
        self._queued = future
        return await asyncio.wrap_future(future)

    async def close(self) -> None:
        """Close the database file (idempotent); later calls raise :class:`StoreError`."""
        self._closed = True
        executor, conn = self._executor, self._conn
        self._executor = self._conn = self._cursor = None
        if executor is not None and conn is not None:
            await asyncio.get_running_loop().run_in_executor(executor, conn.close)
            executor.shutdown(wait=True)

    def _hot(self, conn: sqlite3.Connection) -> sqlite3.Cursor:
        """The cursor for the statements every message runs: rows are plain tuples (index
        them by position). Only inside a call of :meth:`_run` (one user at a time)."""
        cursor = self._cursor
        return conn.cursor() if cursor is None else cursor

    # -- read helpers ------------------------------------------------------------------------
    async def _one(self, sql: str, params: tuple[Any, ...], model: type[T]) -> T | None:
        def op(conn: sqlite3.Connection) -> T | None:
            row = conn.execute(sql, params).fetchone()
            return None if row is None else model.model_validate_json(row[0])  # type: ignore[attr-defined]

        return await self._run(op)

    async def _many(self, sql: str, params: tuple[Any, ...], model: type[T]) -> list[T]:
        def op(conn: sqlite3.Connection) -> list[T]:
            return [model.model_validate_json(r[0]) for r in conn.execute(sql, params)]  # type: ignore[attr-defined]

        return await self._run(op)


def _busy(exc: sqlite3.OperationalError) -> bool:
    """Whether ``exc`` is SQLite's "the file is locked by another connection" (retry later)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc)


def _call(
    conn: sqlite3.Connection,
    cursor: sqlite3.Cursor | None,
    func: Callable[[sqlite3.Connection], T],
    write: bool,
    after: Callable[[T], object] | None = None,
) -> T:
    """``func(conn)``, in one ``BEGIN IMMEDIATE`` transaction when ``write`` (begun and
    committed through ``cursor``); then ``after(result)`` (after the commit)."""
    if not write:
        result = func(conn)
    else:
        run = conn.execute if cursor is None else cursor.execute
        run("BEGIN IMMEDIATE")
        try:
            result = func(conn)
            run("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
    if after is not None:
        after(result)
    return result
