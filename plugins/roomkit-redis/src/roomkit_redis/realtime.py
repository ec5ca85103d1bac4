"""``RedisRealtime``: ephemeral events between processes over Redis pub/sub.

* Publishing is ``PUBLISH <prefix><channel> <event json>`` on a pooled connection.
* Each instance keeps one subscriber connection, read by one background task that hands
  events, in arrival order, to per-subscription bounded queues (see
  :mod:`roomkit.realtime.fanout`).
* ``subscribe`` returns once Redis has confirmed the subscription, so an event published
  right afterwards (from any process) is received.
* When the subscriber connection drops, the reader reconnects with back-off and subscribes
  again to every channel that still has subscribers; events published during the gap are
  lost (they are ephemeral by definition).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from roomkit.errors import ConfigurationError, PayloadTooLargeError, StoreError
from roomkit.models.event import EphemeralEvent
from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.fanout import Fanout
from roomkit_redis.config import RedisRealtimeConfig

__all__ = ["RedisRealtime"]

log = logging.getLogger("roomkit_redis.realtime")


class RedisRealtime(RealtimeBackend):
    """A :class:`~roomkit.realtime.base.RealtimeBackend` shared through one Redis server.

    ``prefix`` namespaces the Redis channels; ``max_queue`` bounds the events waiting for each
    subscriber (the oldest is dropped when full); events above ``max_event_bytes`` are refused.
    Publishing uses at most ``max_connections`` connections (callers wait for a free one).
    ``client_name`` names the connections in ``CLIENT LIST``.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "roomkit:rt:",
        max_queue: int = 1000,
        max_event_bytes: int = 1_000_000,
        socket_timeout: float = 5.0,
        subscribe_timeout: float = 5.0,
        max_reconnect_delay: float = 5.0,
        max_connections: int = 20,
        client_name: str = "roomkit-realtime",
    ) -> None:
        if not url:
            raise ConfigurationError("RedisRealtime needs a url, e.g. redis://127.0.0.1:6379/0")
        if max_queue < 1 or max_event_bytes < 1 or socket_timeout <= 0 or subscribe_timeout <= 0:
            raise ConfigurationError(
                "max_queue, max_event_bytes, socket_timeout and subscribe_timeout must be > 0"
            )
        self.url = url
        self.prefix = prefix
        self._max_event_bytes = max_event_bytes
        self._subscribe_timeout = subscribe_timeout
        self._max_reconnect_delay = max_reconnect_delay
        self._client = aioredis.Redis(
            connection_pool=aioredis.BlockingConnectionPool.from_url(
                url,
                max_connections=max_connections,
                timeout=socket_timeout,
                socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout,
                client_name=client_name,
            )
        )
        # The subscriber connection blocks in reads, so it has no socket timeout of its own
        # (each read is bounded by get_message's timeout instead).
        self._sub_client = aioredis.Redis.from_url(
            url, socket_connect_timeout=socket_timeout, client_name=client_name
        )
        self._pubsub: Any = None
        self._fanout = Fanout(max_queue=max_queue, log=log)
        self._confirmed: dict[str, asyncio.Event] = {}
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        #: How many times the subscriber connection was re-established.
        self.reconnects = 0

    @classmethod
    def from_config(cls, config: RedisRealtimeConfig) -> RedisRealtime:
        """Build from a validated :class:`~roomkit_redis.config.RedisRealtimeConfig`."""
        return cls(
            config.url.get_secret_value(),
            prefix=config.prefix,
            max_queue=config.max_queue,
            max_event_bytes=config.max_event_bytes,
            socket_timeout=config.socket_timeout,
            subscribe_timeout=config.subscribe_timeout,
            max_connections=config.max_connections,
            client_name=config.client_name,
        )

    def redis_channel(self, channel: str) -> str:
        """The Redis channel carrying ``channel``."""
        return f"{self.prefix}{channel}"

    # -- the contract ------------------------------------------------------------------------
    async def publish(self, channel: str, event: EphemeralEvent) -> None:
        """PUBLISH ``event`` to every process subscribed to ``channel``."""
        self._check_open()
        body = event.model_dump_json()
        if len(body) > self._max_event_bytes:
            raise PayloadTooLargeError(
                f"ephemeral event is {len(body)} bytes; the limit is {self._max_event_bytes}"
            )
        try:
            await self._client.publish(self.redis_channel(channel), body)
        except RedisError as exc:
            raise StoreError(f"publishing on {channel!r} failed: {exc}") from exc

    async def subscribe(self, channel: str, callback: EphemeralCallback) -> str:
        """Receive ``channel``; returns after Redis confirmed the subscription."""
        self._check_open()
        sub_id = self._fanout.add(channel, callback)
        try:
            async with self._lock:
                pubsub = await self._ensure_reader()
                name = self.redis_channel(channel)
                confirmed = self._confirmed.get(name)
                if confirmed is None:
                    confirmed = self._confirmed[name] = asyncio.Event()
                    await pubsub.subscribe(name)
            await asyncio.wait_for(confirmed.wait(), self._subscribe_timeout)
        except (RedisError, TimeoutError) as exc:
            await self.unsubscribe(sub_id)
            raise StoreError(f"subscribing to {channel!r} failed: {exc!r}") from exc
        except BaseException:
            await self.unsubscribe(sub_id)
            raise
        return sub_id

    async def unsubscribe(self, subscription_id: str) -> bool:
        """Stop a subscription; Redis is unsubscribed when a channel's last subscriber leaves."""
        channel = self._fanout.remove(subscription_id)
        if channel is None:
            return False
        if not self._fanout.has(channel):
            name = self.redis_channel(channel)
            async with self._lock:
                if self._confirmed.pop(name, None) is not None and self._pubsub is not None:
                    try:
                        await self._pubsub.unsubscribe(name)
                    except RedisError as exc:
                        log.warning("UNSUBSCRIBE %s failed: %s", name, exc)
        return True

    async def close(self) -> None:
        """Stop the reader and close both connection pools (idempotent)."""
        self._closed = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        await self._fanout.close()
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()
            self._pubsub = None
        await self._client.aclose()
        await self._sub_client.aclose()

    # -- the subscriber connection -----------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the RedisRealtime backend is closed")

    async def _ensure_reader(self) -> Any:
        if self._pubsub is None:
            self._pubsub = self._sub_client.pubsub()
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="roomkit-redis-realtime")
        return self._pubsub

    async def _read(self) -> None:
        delay = 0.1
        while not self._closed:
            pubsub = self._pubsub
            try:
                if pubsub is None or not pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                message = await pubsub.get_message(timeout=1.0)
                delay = 0.1
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("Redis subscriber connection lost (%s); reconnecting", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_reconnect_delay)
                await self._resubscribe()
                continue
            if message is not None:
                self._handle(message)

    async def _resubscribe(self) -> None:
        async with self._lock:
            old, self._pubsub = self._pubsub, self._sub_client.pubsub()
            if old is not None:
                with contextlib.suppress(RedisError, OSError):
                    await old.aclose()
            names = list(self._confirmed)
            self._confirmed = {name: asyncio.Event() for name in names}
            try:
                if names:
                    await self._pubsub.subscribe(*names)
                    self.reconnects += 1
            except (RedisError, OSError) as exc:
                log.warning("re-subscribing failed (%s); will retry", exc)

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        name = message.get("channel")
        if isinstance(name, bytes):
            name = name.decode()
        if kind == "subscribe" and isinstance(name, str):
            confirmed = self._confirmed.get(name)
            if confirmed is not None:
                confirmed.set()
            return
        if kind != "message" or not isinstance(name, str) or not name.startswith(self.prefix):
            return
        channel = name[len(self.prefix) :]
        try:
            event = EphemeralEvent.model_validate_json(message["data"])
        except ValueError:
            log.warning("ignoring a malformed message on %s", name)
            return
        self._fanout.deliver(channel, event)
