"""Delivery of pipeline events to the registered callbacks.

The chain never calls callbacks itself: it appends ``(kind, session, payload)`` entries to a
list while it processes a frame, and the pipeline hands the list here afterwards -- on the
event loop thread even when the chain ran in a worker thread. A callback may be sync or async;
one that raises is logged and the others still run.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Iterable
from typing import Any

from roomkit.errors import ConfigurationError

__all__ = ["KINDS", "Emitter", "Entry"]

logger = logging.getLogger("roomkit.voice.pipeline")

#: Every kind of entry the chain emits; ``event`` carries the typed voice events.
KINDS = frozenset(
    {
        "vad",
        "speech_end",
        "speech_frame",
        "processed",
        "speaker",
        "dtmf",
        "recording_started",
        "recording_stopped",
        "input_level",
        "output_level",
        "error",
        "event",
    }
)

Entry = tuple[str, Any, Any]

#: Async callbacks scheduled by the sync path that may be pending at once; beyond it, new ones
#: are dropped (and logged) rather than queued without bound.
MAX_PENDING_CALLBACKS = 1024


class Emitter:
    """Callback lists per kind, and the dispatch of entries to them.

    ``wants`` is the set of kinds that have at least one callback: the chain checks it so
    it builds no payload nobody listens to.
    """

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callable[..., Any]]] = {kind: [] for kind in KINDS}
        self.wants: frozenset[str] = frozenset()
        self._tasks: set[asyncio.Task[Any]] = set()

    def add(self, kind: str, callback: Callable[..., Any]) -> None:
        """Register ``callback(session, payload)`` for ``kind``."""
        if not callable(callback):
            raise ConfigurationError(f"pipeline callback for {kind!r} must be callable")
        self._callbacks[kind].append(callback)
        self.wants = self.wants | {kind}

    def dispatch(self, entries: Iterable[Entry]) -> None:
        """Call the callbacks now; an async callback is scheduled as a task on the running loop."""
        for kind, session, payload in entries:
            for callback in self._callbacks[kind]:
                try:
                    result = callback(session, payload)
                except Exception:
                    logger.exception("voice pipeline %s callback failed", kind)
                    continue
                if inspect.isawaitable(result):
                    self._schedule(kind, result)

    async def adispatch(self, entries: Iterable[Entry]) -> None:
        """Call the callbacks in order, awaiting async ones (keep them short: start long work,
        such as transcription, as a task of your own)."""
        for kind, session, payload in entries:
            for callback in self._callbacks[kind]:
                try:
                    result = callback(session, payload)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    logger.exception("voice pipeline %s callback failed", kind)

    def _schedule(self, kind: str, awaitable: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            logger.warning("voice pipeline %s callback is async but no event loop runs", kind)
            return
        if len(self._tasks) >= MAX_PENDING_CALLBACKS:
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            logger.warning(
                "voice pipeline: %d async callbacks pending, %s dropped", len(self._tasks), kind
            )
            return
        task = loop.create_task(_guarded(kind, awaitable))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for callbacks scheduled by :meth:`dispatch`."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


async def _guarded(kind: str, awaitable: Any) -> None:
    try:
        await awaitable
    except Exception:
        logger.exception("voice pipeline %s callback failed", kind)
