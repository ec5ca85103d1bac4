"""Protocol traces of channels -> ``ON_PROTOCOL_TRACE`` hooks of the trace's room.

The kit observes every channel it registers (:meth:`~roomkit.channels.base.Channel.on_trace`)
while at least one ``ON_PROTOCOL_TRACE`` hook exists; otherwise channels see
``trace_enabled`` false and build no traces. A trace belongs to ``trace.room_id``, else to the
room the channel resolves for its session (``resolve_trace_room``). Traces of a session whose
room is not known yet wait (a bounded number per session, a bounded number of sessions) and
follow the first trace of that session that names its room, in order; the others are dropped.
Hooks run in the background (tracked: ``RoomKit.drain`` waits for them).
"""

from __future__ import annotations

import logging
from collections import OrderedDict, deque

from roomkit.channels.base import Channel
from roomkit.core.context import message_context
from roomkit.core.runtime import Runtime
from roomkit.models.enums import HookTrigger
from roomkit.telemetry.trace import ProtocolTrace

__all__ = ["TraceRelay"]

logger = logging.getLogger("roomkit.traces")

_TRIGGER = HookTrigger.ON_PROTOCOL_TRACE


class TraceRelay:
    """Relays the protocol traces of a kit's channels to its ``ON_PROTOCOL_TRACE`` hooks."""

    def __init__(
        self, rt: Runtime, *, max_sessions: int = 1_000, max_per_session: int = 100
    ) -> None:
        self._rt = rt
        self.max_sessions = max_sessions
        self.max_per_session = max_per_session
        #: (channel id, session id) -> traces waiting for their room.
        self._waiting: OrderedDict[tuple[str, str], deque[ProtocolTrace]] = OrderedDict()

    def wanted(self) -> bool:
        """Whether any ``ON_PROTOCOL_TRACE`` hook listens."""
        return self._rt.hooks.has(_TRIGGER)

    def attach(self, channel: Channel) -> None:
        """Observe ``channel``'s traces while :meth:`wanted`."""

        def relay(trace: ProtocolTrace) -> None:
            self.relay(channel, trace)

        channel.on_trace(relay, when=self.wanted)

    def relay(self, channel: Channel, trace: ProtocolTrace) -> None:
        """Send ``trace`` (and the traces of its session waiting for a room) to the hooks."""
        room_id = trace.room_id or channel.resolve_trace_room(trace.session_id)
        key = (channel.channel_id, trace.session_id) if trace.session_id else None
        if room_id is None:
            if key is not None:
                self._wait(key, trace)
            return
        traces = list(self._waiting.pop(key, ())) if key is not None else []
        traces.append(trace)
        self._rt.hooks.track(self._fire(room_id, traces))

    def _wait(self, key: tuple[str, str], trace: ProtocolTrace) -> None:
        waiting = self._waiting.get(key)
        if waiting is None:
            if len(self._waiting) >= self.max_sessions:
                self._waiting.popitem(last=False)
            waiting = self._waiting[key] = deque(maxlen=self.max_per_session)
        waiting.append(trace)

    async def _fire(self, room_id: str, traces: list[ProtocolTrace]) -> None:
        rt = self._rt
        try:
            room = await rt.store.get_room(room_id)
            if room is None:
                logger.debug("protocol trace for unknown room %r dropped", room_id)
                return
            ctx = await message_context(rt, room, None)
            for trace in traces:
                await rt.hooks.fire(_TRIGGER, trace, ctx)
        except Exception:
            logger.exception("relaying protocol traces to room %r failed", room_id)
