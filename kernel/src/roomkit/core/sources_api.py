"""``attach_source``, ``detach_source``, ``list_sources`` and ``source_health`` of the kit.

An attached source runs under a :class:`~roomkit.core.source_runner.SourceRunner`; its messages
go through the kit's ``process_inbound`` (idempotency, identity, hooks, store, broadcast) like
webhook messages do. Its failures are reported like the engine's own: logged, counted in
telemetry, handed to ``ON_ERROR`` hooks and emitted as ``source_error`` framework events. A
source belongs to a channel, not to a room, so the ``ON_ERROR`` context of a source failure
holds a placeholder room (id ``source:<channel_id>``, ``metadata["source"]`` the channel id,
never stored); the failure's ``stage`` is ``source.start`` (the connection failed or dropped),
``source.emit`` (the kit could not process a message) or ``source.parse`` (the source received
a payload it could not read). ``kit.close()`` detaches every source first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from roomkit.core._text import short_id
from roomkit.core.context import report_error, system_event
from roomkit.errors import (
    ConfigurationError,
    SourceAlreadyAttachedError,
    SourceNotFoundError,
)
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelType
from roomkit.models.room import RateLimit, Room
from roomkit.sources.base import SourceHealth, SourceProvider, SourceStatus

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit
    from roomkit.core.runtime import Runtime
    from roomkit.core.source_runner import SourceRunner

__all__ = ["SourcesMixin"]

logger = logging.getLogger("roomkit.sources")


def _as_rate_limit(value: RateLimit | float | None) -> RateLimit | None:
    if value is None or isinstance(value, RateLimit):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(
            f"rate_limit must be a RateLimit or a positive number of messages per second, "
            f"not {value!r}"
        )
    return RateLimit(max_per_second=float(value))


class SourcesMixin:
    """The event-source methods of :class:`~roomkit.core.framework.RoomKit`."""

    _rt: Runtime
    _sources: dict[str, SourceRunner]
    """Attached sources by channel id (set by the kit's constructor)."""

    async def attach_source(
        self,
        channel_id: str,
        source: SourceProvider,
        *,
        auto_restart: bool = True,
        restart_delay: float = 5.0,
        max_restart_delay: float = 300.0,
        max_restart_attempts: int | None = None,
        max_concurrent_emits: int = 10,
        max_pending_emits: int = 1000,
        rate_limit: RateLimit | float | None = None,
        stop_timeout: float = 10.0,
    ) -> None:
        """Start ``source`` and feed its messages to the registered channel ``channel_id``.

        The kit restarts the source when its connection ends (``auto_restart``), waiting
        ``restart_delay`` seconds, doubling up to ``max_restart_delay``, with jitter; after
        ``max_restart_attempts`` consecutive runs that neither connected nor delivered a
        message it gives up (health status ERROR, a ``source_failed`` framework event).
        At most ``max_concurrent_emits`` of its messages are processed at once and at most
        ``max_pending_emits`` wait; ``rate_limit`` (a :class:`RateLimit`, or messages per
        second) paces them. ``stop_timeout`` bounds how long stopping it may take.
        Raises :class:`SourceAlreadyAttachedError` if the channel has a source already.
        """
        # lazy: the source runner loads when a program attaches its first source
        from roomkit.core.source_runner import SourceRunner, SourceSettings

        kit = self._kit()
        if kit._closed:
            raise ConfigurationError("the kit is closed; attach sources to a running kit")
        runners = self._source_runners()
        if channel_id in runners:
            raise SourceAlreadyAttachedError(
                f"channel {short_id(channel_id)} already has a source "
                f"({runners[channel_id].source.name}); detach_source() it first"
            )
        if not isinstance(source, SourceProvider):
            raise ConfigurationError(
                f"expected a SourceProvider, got {type(source).__name__}; subclass "
                "roomkit.sources.BaseSourceProvider"
            )
        if any(runner.source is source for runner in runners.values()):
            raise SourceAlreadyAttachedError(
                f"source {source.name} is attached to another channel; a source feeds one"
            )
        kit.get_channel(channel_id)  # raises ChannelNotRegisteredError, naming the fix
        settings = SourceSettings(
            auto_restart=auto_restart,
            restart_delay=restart_delay,
            max_restart_delay=max_restart_delay,
            max_restart_attempts=max_restart_attempts,
            max_concurrent_emits=max_concurrent_emits,
            max_pending_emits=max_pending_emits,
            rate_limit=_as_rate_limit(rate_limit),
            stop_timeout=stop_timeout,
        )
        settings.check()
        runner = SourceRunner(
            channel_id,
            source,
            settings,
            process=kit.process_inbound,
            report=self._report_source_failure,
            observers=self._rt.observers,
        )
        runners[channel_id] = runner
        runner.start()
        await self._rt.observers.emit("source_attached", channel_id=channel_id, source=source.name)

    async def detach_source(self, channel_id: str) -> None:
        """Stop the source of ``channel_id`` and forget it; raises :class:`SourceNotFoundError`
        if the channel has none. Messages it is emitting finish first (up to its
        ``stop_timeout``)."""
        runner = self._source_runners().pop(channel_id, None)
        if runner is None:
            raise SourceNotFoundError(f"channel {short_id(channel_id)} has no source attached")
        await runner.stop()
        await self._rt.observers.emit(
            "source_detached", channel_id=channel_id, source=runner.source.name
        )

    def list_sources(self) -> dict[str, SourceStatus]:
        """The attached sources: channel id -> current status (ERROR once the kit gave up)."""
        return {
            channel_id: SourceStatus.ERROR if runner.gave_up else runner.source.status
            for channel_id, runner in self._source_runners().items()
        }

    async def source_health(self, channel_id: str) -> SourceHealth:
        """The health of the source of ``channel_id``: the source's own report plus the kit's
        counters in ``metadata`` (``restarts``, ``restart_attempts``, ``emitted``,
        ``emit_errors``, ``rejected``, ``overflowed``, ``waiting``, ``gave_up``).
        Raises :class:`SourceNotFoundError` if the channel has no source."""
        runner = self._source_runners().get(channel_id)
        if runner is None:
            raise SourceNotFoundError(f"channel {short_id(channel_id)} has no source attached")
        return await runner.health()

    # -- inside the kit ------------------------------------------------------------------------
    async def _close_sources(self) -> None:
        """Detach every source (``kit.close()``)."""
        for channel_id in list(self._source_runners()):
            try:
                await self.detach_source(channel_id)
            except Exception:
                logger.exception("detaching the source of %s failed", channel_id)

    def _source_runners(self) -> dict[str, SourceRunner]:
        return self._sources

    async def _report_source_failure(
        self, channel_id: str, error: BaseException, stage: str, details: dict[str, Any]
    ) -> None:
        rt = self._rt
        await rt.observers.emit(
            "source_error",
            channel_id=channel_id,
            stage=stage,
            error=str(error),
            error_type=type(error).__name__,
        )
        room = Room(id=f"source:{channel_id}", metadata={"source": channel_id})
        channel = rt.channels.get(channel_id)
        payload = system_event(
            room.id,
            "source_error",
            f"{stage} failed: {type(error).__name__}",
            channel_id=channel_id,
            channel_type=channel.channel_type if channel is not None else ChannelType.SYSTEM,
            data={"stage": stage, "error": str(error)[:500]},
        )
        ctx = RoomContext(room=room)
        await report_error(rt, stage, error, payload, ctx, channel_id=channel_id, **details)

    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)  # this mixin is only ever part of RoomKit
