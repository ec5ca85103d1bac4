"""``roomkit.tool`` spans, from the tool-call events AI channels publish.

An AI channel announces the tool calls of a round with a ``TOOL_CALL_START`` ephemeral event
(``data["tool_calls"]``: ``id``, ``name``, ``arguments``) before running them and a
``TOOL_CALL_END`` event (with ``errors``, the number that failed) after; both go through
``RoomKit.publish_ephemeral`` (or ``publish_tool_call``). With telemetry, the engine opens one
``LLM_TOOL_CALL`` span per announced call at the start event (``tool.name``, ``tool.call_id``)
and ends them at the end event, so they nest in the channel's turn. A round of several calls
shares one start and one end, so its spans cover the whole round; a failure is pinned on the
call only when the round had one call (otherwise each span carries ``tool.round_errors``).
Spans still open when the channel's turn ends (the turn failed or was cancelled) end as
errors then (:meth:`ToolSpans.abandon`).
"""

from __future__ import annotations

from typing import Any

from roomkit.models.enums import EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit.telemetry.spans import Attr, SpanKind
from roomkit.telemetry.tracer import Tracer

__all__ = ["ToolSpans"]

_START = EphemeralEventType.TOOL_CALL_START
_END = EphemeralEventType.TOOL_CALL_END
_MAX_OPEN = 1_000


class ToolSpans:
    """The open tool spans of one kit, by (room, channel, call id)."""

    __slots__ = ("_open",)

    def __init__(self) -> None:
        self._open: dict[tuple[str, str, str], str] = {}

    def observe(self, tracer: Tracer, event: EphemeralEvent) -> None:
        """Open or close spans for a tool-call event (other events are ignored)."""
        kind = event.type
        if kind is not _START and kind is not _END:
            return
        calls = event.data.get("tool_calls")
        channel_id = event.channel_id or ""
        if not isinstance(calls, list):
            return
        if kind is _START:
            for call in calls:
                self._start(tracer, event, channel_id, call)
            return
        errors = event.data.get("errors")
        failed = isinstance(errors, int) and errors > 0
        for call in calls:
            key = (event.room_id, channel_id, _call_id(call))
            span = self._open.pop(key, "")
            if not span:
                continue
            if failed and len(calls) == 1:
                tracer.fail(span, "the tool call failed")
            elif failed:
                tracer.end(span, {"tool.round_errors": errors})
            else:
                tracer.end(span)

    def _start(self, tracer: Tracer, event: EphemeralEvent, channel_id: str, call: Any) -> None:
        if not isinstance(call, dict):
            return
        call_id = _call_id(call)
        span = tracer.start(
            SpanKind.LLM_TOOL_CALL,
            "roomkit.tool",
            {Attr.TOOL_NAME: str(call.get("name", "")), "tool.call_id": call_id},
            room_id=event.room_id,
            channel_id=channel_id or None,
        )
        if not span:
            return
        if len(self._open) >= _MAX_OPEN:  # never ended: forget the oldest
            tracer.fail(self._open.pop(next(iter(self._open))), "no TOOL_CALL_END came")
        self._open[(event.room_id, channel_id, call_id)] = span

    def abandon(self, tracer: Tracer, room_id: str, channel_id: str) -> None:
        """End the spans of ``channel_id`` in ``room_id`` still open (its turn is over)."""
        if not self._open:
            return
        for key in [k for k in self._open if k[0] == room_id and k[1] == channel_id]:
            tracer.fail(self._open.pop(key), "the channel's turn ended before the tool call")


def _call_id(call: Any) -> str:
    return str(call.get("id", "")) if isinstance(call, dict) else ""
