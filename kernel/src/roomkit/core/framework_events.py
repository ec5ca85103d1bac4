"""Framework events: what the engine did, for observers registered with ``RoomKit.on(type)``.

Observers see a :class:`~roomkit.models.event.FrameworkEvent` (type, room, channel, event id,
details) for logging, metrics or dashboards; they cannot change what happens (hooks do that).
An observer may be a plain function or a coroutine function; it runs in line, where the
engine emits the event, so it should be quick. One that raises is logged and the others still
run. Types nobody observes cost one dict lookup.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.models.event import FrameworkEvent

__all__ = [
    "FRAMEWORK_EVENT_TYPES",
    "FrameworkEventHandler",
    "FrameworkEvents",
    "check_event_type",
]

logger = logging.getLogger("roomkit.framework_events")

#: ``fn(event)``, sync or async.
FrameworkEventHandler = Callable[[FrameworkEvent], Any]

#: The types the engine emits, and when (the one list; a test checks it against the engine).
FRAMEWORK_EVENT_TYPES: dict[str, str] = {
    "room_created": "a room was created",
    "room_closed": "a room was closed",
    "room_channel_attached": "a channel was attached to a room (data: access, visibility)",
    "room_channel_detached": "a channel was detached from a room",
    "channel_connected": "a connection was registered on a channel (data: connection_id)",
    "channel_disconnected": "a connection was removed from a channel (data: connection_id)",
    "session_started": "an inbound message opened a new room (data: channel_id, channel_type)",
    "event_processed": "an inbound message was stored and broadcast",
    "event_blocked": "an inbound message was stored as blocked (data: reason, blocked_by)",
    "delivery_failed": "a delivery to a channel failed for good (data: error)",
    "broadcast_partial_failure": "some deliveries of an event failed (data: failed, total, errors)",
    "source_attached": "an event source was attached to a channel (data: source)",
    "source_detached": "an event source was detached from its channel (data: source)",
    "source_error": "an event source failed (data: stage, error, error_type)",
    "source_restarting": "a source will be restarted (data: attempt, delay, error)",
    "source_failed": "the kit gave up restarting an event source (data: attempts, error)",
}


def check_event_type(event_type: str) -> None:
    """Raise :class:`ConfigurationError` for a type the engine never emits (a typo)."""
    if event_type not in FRAMEWORK_EVENT_TYPES:
        raise ConfigurationError(
            f"unknown framework event type {str(event_type)[:80]!r}; "
            f"known types: {', '.join(sorted(FRAMEWORK_EVENT_TYPES))}"
        )


class FrameworkEvents(dict[str, list[FrameworkEventHandler]]):
    """The observers of one kit, by event type. False while nobody observes anything (a dict,
    so the engine's ``if rt.observers`` test costs no call)."""

    def on(self, event_type: str, handler: FrameworkEventHandler) -> None:
        """Call ``handler(event)`` for every framework event of ``event_type``."""
        check_event_type(event_type)
        if not callable(handler):
            raise ConfigurationError("a framework event handler must be callable")
        self.setdefault(event_type, []).append(handler)

    def off(self, event_type: str, handler: FrameworkEventHandler) -> bool:
        """Stop calling ``handler`` for ``event_type``; ``False`` if it was not registered."""
        handlers = self.get(event_type, [])
        if handler not in handlers:
            return False
        handlers.remove(handler)
        if not handlers:
            del self[event_type]
        return True

    def wants(self, event_type: str) -> bool:
        """Whether anyone observes ``event_type``."""
        return event_type in self

    async def emit(
        self,
        event_type: str,
        *,
        room_id: str | None = None,
        channel_id: str | None = None,
        event_id: str | None = None,
        **data: Any,
    ) -> None:
        """Hand a :class:`FrameworkEvent` to the observers of ``event_type`` (if any)."""
        handlers = self.get(event_type)
        if not handlers:
            return
        event = FrameworkEvent(
            type=event_type, room_id=room_id, channel_id=channel_id, event_id=event_id, data=data
        )
        for handler in list(handlers):
            try:
                result = handler(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("framework event handler %r for %s failed", handler, event_type)
