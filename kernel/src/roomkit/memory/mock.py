"""A scriptable memory provider for tests: fixed results, and a record of every call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from roomkit.memory.base import MemoryProvider, MemoryResult
from roomkit.models.ai import AIMessage
from roomkit.models.context import RoomContext
from roomkit.models.event import RoomEvent
from roomkit.store.base import ConversationStore

__all__ = ["MemoryIngestCall", "MemoryRetrieveCall", "MockMemoryProvider"]


@dataclass(frozen=True)
class MemoryRetrieveCall:
    """One call of :meth:`MockMemoryProvider.retrieve`."""

    room_id: str
    current_event: RoomEvent
    context: RoomContext
    channel_id: str | None


@dataclass(frozen=True)
class MemoryIngestCall:
    """One call of :meth:`MockMemoryProvider.ingest`."""

    room_id: str
    event: RoomEvent
    channel_id: str | None


class MockMemoryProvider(MemoryProvider):
    """Returns the same memory every turn and records what it was asked.

    ``messages`` are returned as ready-made model messages; ``events`` as the turn's events
    (when ``None``, the turn sees only the current event); ``system_notes`` as notes for the
    system prompt. ``retrieve_calls``, ``ingest_calls``, ``clear_calls`` and ``closed``
    record the calls.
    """

    def __init__(
        self,
        messages: Sequence[AIMessage] | None = None,
        events: Sequence[RoomEvent] | None = None,
        system_notes: Sequence[str] | None = None,
    ) -> None:
        self.messages = list(messages or [])
        self.events = None if events is None else list(events)
        self.system_notes = list(system_notes or [])
        self.retrieve_calls: list[MemoryRetrieveCall] = []
        self.ingest_calls: list[MemoryIngestCall] = []
        self.clear_calls: list[str] = []
        self.closed = False

    async def retrieve(
        self,
        room_id: str,
        current_event: RoomEvent,
        context: RoomContext,
        *,
        channel_id: str | None = None,
        store: ConversationStore | None = None,
    ) -> MemoryResult:
        self.retrieve_calls.append(MemoryRetrieveCall(room_id, current_event, context, channel_id))
        events = [current_event] if self.events is None else list(self.events)
        return MemoryResult(
            messages=list(self.messages), events=events, system_notes=list(self.system_notes)
        )

    async def ingest(
        self, room_id: str, event: RoomEvent, *, channel_id: str | None = None
    ) -> None:
        self.ingest_calls.append(MemoryIngestCall(room_id, event, channel_id))

    async def clear(self, room_id: str) -> None:
        self.clear_calls.append(room_id)

    async def close(self) -> None:
        self.closed = True
