"""``ConsoleMonitor``: everything a kit does, as a stream of small records per room.

The monitor watches a kit only through its public API:

* **hooks** -- an ASYNC hook (lowest precedence, ``roomkit-console-<n>:<trigger>``, ``n``
  numbering the monitors of the process so that two never replace each other) on every
  trigger that is observable without changing behaviour: AFTER_BROADCAST (each stored and
  broadcast event, the agent's replies included), the room and channel lifecycle, handoffs and
  phase transitions, delivery statuses, errors, tasks and observations, the voice triggers.
  BEFORE_BROADCAST / BEFORE_TTS (sync: they decide what happens), the audio-level meters (tens
  per second) and ON_PROTOCOL_TRACE (raw vendor traffic) are left out;
* **framework events** -- an observer (``kit.on``) of every type the engine emits: processed,
  blocked (with the blocking hook), delivery failures, connections ...;
* **ephemeral events** -- a realtime subscription (``kit.realtime.subscribe_to_room``) for each
  room a console session watches: typing, presence, receipts, reactions, tool calls.

Each record goes to the sessions watching its room, each through a bounded queue that drops
its oldest record when a browser cannot keep up (the drop is counted and shown), and to a
bounded per-room backlog that a session receives when it joins. Payloads pass through
:func:`~roomkit_console.serialize.to_json` (secrets redacted, sizes bounded).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from roomkit.core.framework_events import FRAMEWORK_EVENT_TYPES
from roomkit.errors import ConfigurationError
from roomkit.models.context import RoomContext
from roomkit.models.enums import EphemeralEventType, HookExecution, HookTrigger
from roomkit.models.event import EphemeralEvent, FrameworkEvent
from roomkit_console.serialize import to_json

if TYPE_CHECKING:
    from roomkit import RoomKit

__all__ = ["DEFAULT_TRIGGERS", "HOOK_PREFIX", "ConsoleMonitor", "Record", "Subscription"]

logger = logging.getLogger("roomkit.console")

_SKIPPED = {
    HookTrigger.BEFORE_BROADCAST,
    HookTrigger.BEFORE_TTS,
    HookTrigger.ON_VAD_AUDIO_LEVEL,
    HookTrigger.ON_INPUT_AUDIO_LEVEL,
    HookTrigger.ON_OUTPUT_AUDIO_LEVEL,
    HookTrigger.ON_PROTOCOL_TRACE,
}

#: The triggers the monitor observes unless told otherwise.
DEFAULT_TRIGGERS: tuple[HookTrigger, ...] = tuple(t for t in HookTrigger if t not in _SKIPPED)

_HANDOFF = {
    HookTrigger.ON_HANDOFF,
    HookTrigger.ON_HANDOFF_REJECTED,
    HookTrigger.ON_PHASE_TRANSITION,
}
_DELIVERY_FRAMEWORK = {"delivery_failed", "broadcast_partial_failure"}
_TOOL_EPHEMERAL = {EphemeralEventType.TOOL_CALL_START, EphemeralEventType.TOOL_CALL_END}

HOOK_PRIORITY = 1_000_000  # after every hook of the application
HOOK_PREFIX = "roomkit-console"
_MONITORS = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Record:
    """One thing that happened: ``kind`` is ``event``, ``hook``, ``handoff``, ``delivery``,
    ``error``, ``framework``, ``tool`` or ``ephemeral``; ``name`` the trigger, framework event
    type or ephemeral type; ``data`` the redacted, bounded payload (for ``event`` and
    ``handoff`` the room event itself; for the other hook records ``{"payload", "metadata"}``,
    the metadata being the context's, such as ``delivery_result``)."""

    seq: int
    kind: str
    name: str
    room_id: str | None
    at: str
    data: Any

    def as_dict(self) -> dict[str, Any]:
        """The JSON form sent to browsers."""
        return {
            "type": "record",
            "seq": self.seq,
            "kind": self.kind,
            "name": self.name,
            "room_id": self.room_id,
            "at": self.at,
            "data": self.data,
        }


@dataclass(eq=False)
class Subscription:
    """A session's view of one room: a bounded queue of records (oldest dropped when full)."""

    room_id: str
    queue: asyncio.Queue[dict[str, Any]]
    dropped: int = 0
    _closed: bool = field(default=False, repr=False)

    def offer(self, item: dict[str, Any]) -> None:
        """Queue ``item``; when the queue is full the oldest item makes room (counted)."""
        if self._closed:
            return
        while True:
            try:
                self.queue.put_nowait(item)
                return
            except asyncio.QueueFull:
                try:
                    self.queue.get_nowait()
                except asyncio.QueueEmpty:  # pragma: no cover - single-threaded loop
                    continue
                self.dropped += 1

    async def get(self) -> dict[str, Any]:
        """The next item (waits for one)."""
        return await self.queue.get()


class ConsoleMonitor:
    """Watches one kit and fans its activity out to console sessions, by room.

    ``queue_size`` bounds each session's queue, ``backlog`` the records kept per room for
    sessions that join later, ``max_rooms`` the rooms whose backlog is kept (least recently
    active dropped first), ``triggers`` the hook triggers observed.
    """

    def __init__(
        self,
        kit: RoomKit,
        *,
        queue_size: int = 1_000,
        backlog: int = 200,
        max_rooms: int = 100,
        triggers: tuple[HookTrigger, ...] = DEFAULT_TRIGGERS,
    ) -> None:
        if queue_size < 1 or backlog < 0 or max_rooms < 1:
            raise ConfigurationError(
                "ConsoleMonitor needs queue_size >= 1, backlog >= 0 and max_rooms >= 1"
            )
        self.kit = kit
        self.queue_size = queue_size
        self._backlog_size = backlog
        self._max_rooms = max_rooms
        self._triggers = tuple(HookTrigger(t) for t in triggers)
        self._seq = itertools.count(1)
        self._backlogs: OrderedDict[str, deque[dict[str, Any]]] = OrderedDict()
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._realtime: dict[str, str] = {}  # room id -> realtime subscription id
        self._realtime_lock = asyncio.Lock()
        self._started = False
        self.hook_prefix = f"{HOOK_PREFIX}-{next(_MONITORS)}"

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        """Whether the hooks and observers are registered."""
        return self._started

    def start(self) -> None:
        """Register the monitor's hooks and framework-event observers on the kit."""
        if self._started:
            return
        for trigger in self._triggers:
            self.kit.add_hook(
                trigger,
                self._hook_observer(trigger),
                execution=HookExecution.ASYNC,
                name=self._hook_name(trigger),
                priority=HOOK_PRIORITY,
            )
        for event_type in FRAMEWORK_EVENT_TYPES:
            self.kit.on(event_type)(self._on_framework_event)
        self._started = True

    async def stop(self) -> None:
        """Remove everything :meth:`start` registered and the realtime subscriptions."""
        if not self._started:
            return
        for trigger in self._triggers:
            self.kit.remove_hook(self._hook_name(trigger), trigger)
        for event_type in FRAMEWORK_EVENT_TYPES:
            self.kit.off(event_type, self._on_framework_event)
        async with self._realtime_lock:
            for subscription_id in self._realtime.values():
                await self.kit.realtime.unsubscribe(subscription_id)
            self._realtime.clear()
        for subscriptions in self._subscriptions.values():
            for subscription in subscriptions:
                subscription._closed = True
        self._subscriptions.clear()
        self._started = False

    def _hook_name(self, trigger: HookTrigger) -> str:
        return f"{self.hook_prefix}:{trigger.value}"

    # -- sessions ----------------------------------------------------------------------------
    async def subscribe(self, room_id: str) -> Subscription:
        """Start watching ``room_id``: a subscription already holding the room's backlog."""
        subscription = Subscription(room_id, asyncio.Queue(self.queue_size))
        for item in self._backlogs.get(room_id, ()):
            subscription.offer(item)
        self._subscriptions.setdefault(room_id, set()).add(subscription)
        async with self._realtime_lock:
            if room_id not in self._realtime:
                self._realtime[room_id] = await self.kit.realtime.subscribe_to_room(
                    room_id, self._on_ephemeral
                )
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        """Stop feeding ``subscription``; the room's realtime subscription ends with its last
        watcher."""
        subscription._closed = True
        room_id = subscription.room_id
        watchers = self._subscriptions.get(room_id)
        if watchers is not None:
            watchers.discard(subscription)
            if watchers:
                return
            del self._subscriptions[room_id]
        async with self._realtime_lock:
            subscription_id = self._realtime.pop(room_id, None)
            if subscription_id is not None and room_id not in self._subscriptions:
                await self.kit.realtime.unsubscribe(subscription_id)

    def watchers(self, room_id: str) -> int:
        """How many sessions watch ``room_id``."""
        return len(self._subscriptions.get(room_id, ()))

    # -- records -----------------------------------------------------------------------------
    def publish(self, kind: str, name: str, room_id: str | None, data: Any) -> Record:
        """Send a record to the sessions of ``room_id`` (all sessions when ``None``) and keep
        it in the room's backlog."""
        record = Record(
            seq=next(self._seq),
            kind=kind,
            name=name,
            room_id=room_id,
            at=datetime.now(UTC).isoformat(timespec="milliseconds"),
            data=to_json(data),
        )
        item = record.as_dict()
        if room_id is None:
            targets = [s for subs in self._subscriptions.values() for s in subs]
        else:
            targets = list(self._subscriptions.get(room_id, ()))
            self._remember(room_id, item)
        for subscription in targets:
            subscription.offer(item)
        return record

    def _remember(self, room_id: str, item: dict[str, Any]) -> None:
        if self._backlog_size == 0:
            return
        backlog = self._backlogs.get(room_id)
        if backlog is None:
            backlog = self._backlogs[room_id] = deque(maxlen=self._backlog_size)
            while len(self._backlogs) > self._max_rooms:
                self._backlogs.popitem(last=False)
        else:
            self._backlogs.move_to_end(room_id)
        backlog.append(item)

    def _hook_observer(self, trigger: HookTrigger) -> Any:
        if trigger == HookTrigger.AFTER_BROADCAST:
            kind = "event"
        elif trigger in _HANDOFF:
            kind = "handoff"
        elif trigger == HookTrigger.ON_DELIVERY_STATUS:
            kind = "delivery"
        elif trigger == HookTrigger.ON_ERROR:
            kind = "error"
        else:
            kind = "hook"

        async def observe(payload: Any, ctx: RoomContext) -> None:
            room = getattr(ctx, "room", None)
            data = payload
            if kind not in ("event", "handoff"):
                # the payload and what the engine put beside it (delivery_result, error ...)
                data = {"payload": payload, "metadata": getattr(ctx, "metadata", {})}
            self.publish(kind, trigger.value, getattr(room, "id", None), data)

        observe.__name__ = f"console_{trigger.value}"
        return observe

    def _on_framework_event(self, event: FrameworkEvent) -> None:
        kind = "delivery" if event.type in _DELIVERY_FRAMEWORK else "framework"
        data = {
            "channel_id": event.channel_id,
            "event_id": event.event_id,
            **event.data,
        }
        self.publish(kind, event.type, event.room_id, data)

    async def _on_ephemeral(self, event: EphemeralEvent) -> None:
        kind = "tool" if event.type in _TOOL_EPHEMERAL else "ephemeral"
        self.publish(kind, event.type.value, event.room_id, event)
