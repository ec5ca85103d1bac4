"""``PostgresRealtime``: ephemeral events between processes over ``LISTEN`` / ``NOTIFY``.

* One dedicated listener connection per instance; each RoomKit channel (``room:<id>``) maps to
  a PostgreSQL channel named ``rk_<hash>`` (identifier-safe, under the 63-byte limit). The
  payload carries the original channel name.
* NOTIFY payloads must stay under 8000 bytes. A larger event is parked in the
  ``realtime_payloads`` table and the notification carries its id; rows older than a few
  minutes are swept. Events above ``max_event_bytes`` are refused with
  :class:`~roomkit.errors.PayloadTooLargeError`.
* Notifications are decoded in arrival order by one reader task (bounded queue) and handed
  to per-subscription queues (see :mod:`roomkit.realtime.fanout`).
* When the listener connection drops, it reconnects with backoff and listens again; events
  published during the gap are lost (they are ephemeral by definition).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from typing import Any
from uuid import uuid4

import asyncpg  # type: ignore[import-untyped]

from roomkit.errors import ConfigurationError, PayloadTooLargeError, StoreError
from roomkit.models.event import EphemeralEvent
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.fanout import Fanout
from roomkit_postgres._connection import connection_lost, create_pool, redact
from roomkit_postgres.config import PostgresRealtimeConfig
from roomkit_postgres.migrations import apply_migrations, quote_schema

__all__ = ["NOTIFY_LIMIT", "PostgresRealtime"]

log = logging.getLogger("roomkit_postgres.realtime")

NOTIFY_LIMIT = 7900
"""Largest NOTIFY payload sent inline (PostgreSQL's hard limit is 8000 bytes)."""

_SPILL_TTL = "5 minutes"


class PostgresRealtime(RealtimeBackend):
    """A :class:`~roomkit.realtime.base.RealtimeBackend` shared by every process on one database.

    ``namespace`` separates deployments sharing a database; ``max_queue`` bounds the events
    waiting for each subscriber (the oldest is dropped when full).
    """

    def __init__(
        self,
        dsn: str = "postgresql://postgres@127.0.0.1:5432/postgres",
        *,
        schema: str = "public",
        namespace: str = "roomkit",
        max_queue: int = 1000,
        max_event_bytes: int = 1_000_000,
        connect_timeout: float = 10.0,
        command_timeout: float = 10.0,
        migrate: bool = True,
    ) -> None:
        if not dsn:
            raise ConfigurationError("PostgresRealtime needs a dsn")
        if max_queue < 1 or max_event_bytes < 1:
            raise ConfigurationError("max_queue and max_event_bytes must be positive")
        quote_schema(schema)
        self.dsn = dsn
        self.schema = schema
        self.namespace = namespace
        self._max_event_bytes = max_event_bytes
        self._connect_timeout = connect_timeout
        self._command_timeout = command_timeout
        self._migrate = migrate
        self._fanout = Fanout(max_queue=max_queue, log=log)
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._inbox: asyncio.Queue[str] = asyncio.Queue(max_queue * 4)
        self._reader: asyncio.Task[None] | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self._listening: set[str] = set()
        self._start_lock = asyncio.Lock()
        self._closed = False

    @classmethod
    def from_config(cls, config: PostgresRealtimeConfig) -> PostgresRealtime:
        """Build from a validated :class:`~roomkit_postgres.config.PostgresRealtimeConfig`."""
        return cls(
            config.dsn.get_secret_value(),
            schema=config.db_schema,
            namespace=config.namespace,
            max_queue=config.max_queue,
            max_event_bytes=config.max_event_bytes,
            connect_timeout=config.connect_timeout,
            command_timeout=config.command_timeout,
            migrate=config.migrate,
        )

    def pg_channel(self, channel: str) -> str:
        """The PostgreSQL channel name that carries ``channel``."""
        digest = hashlib.blake2b(f"{self.namespace}\x00{channel}".encode(), digest_size=15)
        return "rk_" + digest.hexdigest()

    # -- lifecycle ---------------------------------------------------------------------------
    async def _start(self) -> asyncpg.Pool:
        if self._closed:
            raise StoreError("the PostgresRealtime backend is closed")
        if self._pool is not None:
            return self._pool
        async with self._start_lock:
            if self._pool is None:
                pool = await create_pool(
                    self.dsn,
                    schema=self.schema,
                    min_size=1,
                    max_size=4,
                    command_timeout=self._command_timeout,
                    connect_timeout=self._connect_timeout,
                )
                if self._migrate:
                    async with pool.acquire(timeout=self._connect_timeout) as conn:
                        await apply_migrations(conn, self.schema)
                self._pool = pool
                self._reader = asyncio.create_task(self._read(), name="roomkit-pg-realtime")
        return self._pool

    async def _connect_listener(self) -> asyncpg.Connection:
        try:
            conn = await asyncpg.connect(
                self.dsn,
                timeout=self._connect_timeout,
                command_timeout=self._command_timeout,
                server_settings={"search_path": quote_schema(self.schema)},
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            raise StoreError(f"cannot connect to PostgreSQL at {redact(self.dsn)}: {exc}") from exc
        conn.add_termination_listener(self._on_listener_lost)
        return conn

    async def _get_listener(self) -> asyncpg.Connection:
        if self._listener is None or self._listener.is_closed():
            self._listener = await self._connect_listener()
            self._listening.clear()
        return self._listener

    def _on_listener_lost(self, conn: asyncpg.Connection) -> None:
        if self._closed or conn is not self._listener:
            return
        log.warning("LISTEN connection lost; reconnecting")
        self._listener = None
        if self._reconnect is None or self._reconnect.done():
            self._reconnect = asyncio.create_task(self._relisten(), name="roomkit-pg-relisten")

    async def _relisten(self) -> None:
        delay = 0.1
        while not self._closed:
            try:
                async with self._start_lock:
                    conn = await self._get_listener()
                    for channel in self._fanout.channels():
                        await self._listen(conn, channel)
                log.info("LISTEN connection restored (%d channels)", len(self._listening))
                return
            except (StoreError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                log.warning("reconnecting the LISTEN connection failed: %s", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _listen(self, conn: asyncpg.Connection, channel: str) -> None:
        pg = self.pg_channel(channel)
        if pg not in self._listening:
            await conn.add_listener(pg, self._on_notify)
            self._listening.add(pg)

    async def close(self) -> None:
        """Stop listening and close every connection (idempotent)."""
        self._closed = True
        for task in (self._reader, self._reconnect):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._fanout.close()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.terminate()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()

    # -- the contract ------------------------------------------------------------------------
    async def subscribe(self, channel: str, callback: EphemeralCallback) -> str:
        """Start receiving ``channel`` here (its LISTEN is active when this returns)."""
        await self._start()
        sub_id = self._fanout.add(channel, callback)
        try:
            async with self._start_lock:
                await self._listen(await self._get_listener(), channel)
        except BaseException:
            self._fanout.remove(sub_id)
            raise
        return sub_id

    async def unsubscribe(self, subscription_id: str) -> bool:
        """Stop a subscription; the channel is unlistened when its last subscriber leaves."""
        channel = self._fanout.remove(subscription_id)
        if channel is None:
            return False
        pg = self.pg_channel(channel)
        if not self._fanout.has(channel) and pg in self._listening:
            self._listening.discard(pg)
            listener = self._listener
            if listener is not None and not listener.is_closed():
                try:
                    await listener.remove_listener(pg, self._on_notify)
                except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                    log.warning("UNLISTEN failed (the connection will be replaced): %s", exc)
        return True

    async def publish(self, channel: str, event: EphemeralEvent) -> None:
        """NOTIFY every process listening on ``channel``."""
        pool = await self._start()
        body = event.model_dump_json()
        if len(body.encode()) > self._max_event_bytes:
            raise PayloadTooLargeError(
                f"ephemeral event is {len(body.encode())} bytes; the limit is "
                f"{self._max_event_bytes} (max_event_bytes)"
            )
        payload = json.dumps({"c": channel, "e": body}, separators=(",", ":"))
        spill: str | None = None
        if len(payload.encode()) > NOTIFY_LIMIT:
            spill = uuid4().hex
            payload = json.dumps({"c": channel, "ref": spill}, separators=(",", ":"))
            if len(payload.encode()) > NOTIFY_LIMIT:
                raise PayloadTooLargeError("the channel name is too long for a NOTIFY payload")
        for attempt in (0, 1):
            try:
                async with pool.acquire(timeout=self._connect_timeout) as conn:
                    if spill is not None:
                        async with conn.transaction():
                            await conn.execute(
                                "INSERT INTO realtime_payloads (id, data) VALUES ($1, $2)"
                                " ON CONFLICT (id) DO NOTHING",
                                spill,
                                body,
                            )
                            await conn.execute(
                                "DELETE FROM realtime_payloads"
                                f" WHERE created_at < now() - interval '{_SPILL_TTL}'"
                            )
                            await conn.execute(
                                "SELECT pg_notify($1, $2)", self.pg_channel(channel), payload
                            )
                    else:
                        await conn.execute(
                            "SELECT pg_notify($1, $2)", self.pg_channel(channel), payload
                        )
                return
            except TimeoutError as exc:
                raise StoreError("PostgreSQL did not answer in time (publish)") from exc
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                if attempt == 0 and connection_lost(exc):
                    continue
                raise StoreError(f"publishing on {channel!r} failed: {exc}") from exc

    # -- receiving ---------------------------------------------------------------------------
    def _on_notify(self, conn: Any, pid: int, pg_channel: str, payload: str) -> None:
        try:
            self._inbox.put_nowait(payload)
        except asyncio.QueueFull:
            log.warning("realtime inbox full; dropping a notification")

    async def _read(self) -> None:
        while True:
            payload = await self._inbox.get()
            try:
                message = json.loads(payload)
                channel = message["c"]
                if not self._fanout.has(channel):
                    continue
                body = message.get("e")
                if body is None:
                    body = await self._fetch_spilled(message["ref"])
                    if body is None:
                        log.warning("a large ephemeral event expired before it was read")
                        continue
                event = EphemeralEvent.model_validate_json(body)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("ignoring a malformed realtime notification")
                continue
            self._fanout.deliver(channel, event)

    async def _fetch_spilled(self, ref: str) -> str | None:
        pool = self._pool
        if pool is None:
            return None
        async with pool.acquire(timeout=self._connect_timeout) as conn:
            text: str | None = await conn.fetchval(
                "SELECT data FROM realtime_payloads WHERE id = $1", ref
            )
            return text
