"""The event-source contract: a long-lived connection that feeds messages into the kit.

Webhooks push messages at the kit; an *event source* pulls them: it holds a connection open
(a WebSocket, a Server-Sent-Events stream, a NATS subscription ...) and hands every message it
receives to the kit through the ``emit`` callback it is started with. The kit supervises it
(:meth:`roomkit.RoomKit.attach_source`): it restarts a source whose connection ends, with
backoff and jitter, limits its rate, and reports its failures.

A source implements :class:`SourceProvider` (four members) or, more easily, subclasses
:class:`BaseSourceProvider`, which keeps the status and the counters of
:class:`SourceHealth` and leaves one method to write: :meth:`SourceProvider.start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from roomkit.deferred import DeferredModel
from roomkit.errors import ConfigurationError
from roomkit.models._ids import utcnow
from roomkit.models.event import InboundMessage, InboundResult

__all__ = [
    "BaseSourceProvider",
    "EmitCallback",
    "SourceHealth",
    "SourceProvider",
    "SourceStatus",
    "backoff_delay",
]

logger = logging.getLogger("roomkit.sources")

EmitCallback = Callable[[InboundMessage], Awaitable[InboundResult]]
"""How a source hands a message to the kit: ``result = await emit(message)``.

It returns once the message went through the kit's inbound pipeline (stored, or refused by a
hook, or recognised as a duplicate by its ``idempotency_key``), so a source whose protocol
acknowledges messages acknowledges after ``emit`` returns. It raises when the message could
not be processed (the kit has already reported the failure); the source skips the message (or
leaves it unacknowledged, to be redelivered) and carries on."""


def backoff_delay(
    attempt: int, base: float, ceiling: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait before reconnection ``attempt`` (1-based): ``base * 2**(attempt-1)``
    capped at ``ceiling``, of which the upper half is random ("equal jitter"), so sources
    dropped together by one server do not all come back at the same instant."""
    exponent = min(max(attempt - 1, 0), 62)
    full = min(base * (2.0**exponent), ceiling)
    return full / 2 + (rng or random).uniform(0.0, full / 2)


class SourceStatus(StrEnum):
    """Where a source is in its life."""

    STOPPED = "stopped"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    ERROR = "error"


class SourceHealth(DeferredModel):
    """A snapshot of a source: status, when it connected, what it received, its last error.

    ``metadata`` carries what a source or the kit adds: the kit's supervision counters
    (``restarts``, ``restart_attempts``, ``emit_errors``, ``parse_errors`` ...) and anything
    source-specific (the last event id of a stream, the consumer of a subscription).
    """

    status: SourceStatus = SourceStatus.STOPPED
    connected_at: datetime | None = None
    last_message_at: datetime | None = None
    messages_received: int = 0
    error: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class SourceProvider(ABC):
    """The contract of an event source.

    :meth:`start` runs for as long as the source is connected: it receives messages and calls
    ``await emit(message)`` for each, and returns (or raises) when the connection ends. The kit
    runs it in a task of its own and calls it again to reconnect. :meth:`stop` makes a running
    :meth:`start` return promptly and releases the connection; it is safe to call at any time,
    more than once. A source is attached to one kit at a time.
    """

    @property
    @abstractmethod
    def name(self) -> str:
        """A short name for logs and listings (``"websocket:chat.example.com"``)."""

    @property
    @abstractmethod
    def status(self) -> SourceStatus:
        """The current status."""

    @abstractmethod
    async def start(self, emit: EmitCallback) -> None:
        """Connect and feed every received message to ``emit`` until disconnected or stopped."""

    @abstractmethod
    async def stop(self) -> None:
        """Make a running :meth:`start` return and close the connection."""

    async def healthcheck(self) -> SourceHealth:
        """A snapshot of the source (only its status, unless the source keeps more)."""
        return SourceHealth(status=self.status)


class BaseSourceProvider(SourceProvider):
    """A source that keeps its own :class:`SourceHealth`; subclasses write :meth:`start`.

    In :meth:`start`, call :meth:`_begin`, then :meth:`_set_status` as the connection
    progresses (``CONNECTING`` -> ``CONNECTED``), hand messages over with :meth:`_emit` (which
    counts them and applies ``rate_limit``, in messages per second), report what cannot be
    parsed with :meth:`_reject` (or let :meth:`_deliver` do both), and return when
    :attr:`_stopping` is set. :meth:`stop` sets it and calls :meth:`_on_stop`, where a
    subclass closes its connection so a blocked read returns. :meth:`_serve` runs one
    connection, or reconnects with backoff for sources that reconnect by themselves.
    """

    def __init__(self, *, rate_limit: float | None = None) -> None:
        if rate_limit is not None and not rate_limit > 0:
            raise ConfigurationError(
                f"rate_limit is messages per second and must be positive, not {rate_limit!r}"
            )
        self._interval = 1.0 / rate_limit if rate_limit else 0.0
        self._next_slot = 0.0
        self._status = SourceStatus.STOPPED
        self._connected_at: datetime | None = None
        self._last_message_at: datetime | None = None
        self._messages_received = 0
        self._rejected = 0
        self._error: str | None = None
        self._stopping = asyncio.Event()

    @property
    def name(self) -> str:
        """The class name; subclasses usually add where they connect."""
        return type(self).__name__

    @property
    def status(self) -> SourceStatus:
        """The current status."""
        return self._status

    async def stop(self) -> None:
        """Ask :meth:`start` to return, close the connection (:meth:`_on_stop`), mark STOPPED."""
        self._stopping.set()
        try:
            await self._on_stop()
        finally:
            self._set_status(SourceStatus.STOPPED)

    async def healthcheck(self) -> SourceHealth:
        """Status, connection time, messages received, last error; ``rejected`` (messages
        that could not be parsed) and :meth:`_health_metadata` in ``metadata``."""
        return SourceHealth(
            status=self._status,
            connected_at=self._connected_at,
            last_message_at=self._last_message_at,
            messages_received=self._messages_received,
            error=self._error,
            metadata={"rejected": self._rejected, **self._health_metadata()},
        )

    # -- for subclasses --------------------------------------------------------------------
    async def _on_stop(self) -> None:
        """Close the connection so that a :meth:`start` blocked on a read returns."""

    def _health_metadata(self) -> dict[str, Any]:
        """Source-specific entries of :attr:`SourceHealth.metadata`."""
        return {}

    def _begin(self) -> None:
        """Call first in :meth:`start`: clears a previous stop and marks CONNECTING (or
        RECONNECTING when the source was connected before)."""
        self._stopping.clear()
        was_connected = self._connected_at is not None
        self._set_status(SourceStatus.RECONNECTING if was_connected else SourceStatus.CONNECTING)

    def _set_status(self, status: SourceStatus, error: str | BaseException | None = None) -> None:
        """Record a new status (and the error that caused it, if any)."""
        self._status = status
        if status == SourceStatus.CONNECTED:
            self._connected_at = utcnow()
            self._error = None
        if error is not None:
            self._error = error if isinstance(error, str) else f"{type(error).__name__}: {error}"

    async def _emit(self, emit: EmitCallback, message: InboundMessage) -> InboundResult:
        """Hand ``message`` to the kit (after the ``rate_limit`` pause, if any) and count it."""
        if self._interval:
            loop = asyncio.get_running_loop()
            now = loop.time()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
            if slot > now:
                await asyncio.sleep(slot - now)
        self._messages_received += 1
        self._last_message_at = utcnow()
        return await emit(message)

    async def _deliver(
        self, emit: EmitCallback, raw: Any, parse: Callable[[Any], InboundMessage | None]
    ) -> InboundResult | None:
        """Parse ``raw`` and emit the message; a payload ``parse`` rejects (raises) is reported
        with :meth:`_reject`, one it maps to ``None`` is skipped, and a message the kit failed
        to process is left to the kit's report. Returns the kit's result, if it took one."""
        try:
            message = parse(raw)
        except Exception as exc:
            await self._reject(emit, raw, exc)
            return None
        if message is None:
            return None
        try:
            return await self._emit(emit, message)
        except Exception:  # the kit has reported it (ON_ERROR); go on with the next payload
            return None

    async def _serve(
        self,
        connect_once: Callable[[], Awaitable[None]],
        *,
        reconnect: bool,
        max_backoff: float,
        base_backoff: float | Callable[[], float] = 0.5,
    ) -> None:
        """Run ``connect_once`` (one connection, until it ends). Without ``reconnect`` a
        failure propagates (the kit restarts the source); with it, the source reconnects by
        itself after :func:`backoff_delay` (from ``base_backoff`` s, or what that callable
        returns at each failure, up to ``max_backoff`` s) until :meth:`stop`."""
        attempt = 0
        while not self._stopping.is_set():
            delivered = self._messages_received
            try:
                await connect_once()
                if not reconnect or self._stopping.is_set():
                    return
                self._set_status(SourceStatus.RECONNECTING, "connection closed")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._stopping.is_set():
                    return  # closing the connection in stop() interrupted a read
                if not reconnect:
                    raise
                self._set_status(SourceStatus.RECONNECTING, exc)
                logger.warning("%s lost its connection: %r; reconnecting", self.name, exc)
            attempt = 1 if self._messages_received != delivered else attempt + 1
            base = base_backoff() if callable(base_backoff) else base_backoff
            delay = backoff_delay(attempt, base, max(max_backoff, base))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def _reject(self, emit: EmitCallback, raw: Any, error: BaseException) -> None:
        """Count a received payload that could not be turned into a message and report it to
        the kit (``ON_ERROR`` hooks, a ``source_error`` framework event) when ``emit`` is the
        kit's; the source goes on with the next payload."""
        self._rejected += 1
        report = getattr(emit, "report", None)
        if report is not None:
            await report(error, stage="source.parse", raw=raw)
        else:
            logger.warning("%s dropped a payload it could not parse: %r", self.name, error)
