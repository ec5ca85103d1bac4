"""The memory contract: what an AI channel remembers of a room when it answers.

A memory provider picks the room events (and extra notes) that go into the model's context.
The AI channel turns the returned events into messages; ``system_notes`` are appended to
the system prompt (so providers with a single system slot handle them too).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from roomkit.models.ai import AIMessage
from roomkit.models.content import SystemContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import EventStatus, EventType
from roomkit.models.event import RoomEvent
from roomkit.models.keys import INTERNAL_KEY
from roomkit.store.base import ConversationStore

__all__ = ["INTERNAL_KEY", "MemoryProvider", "MemoryResult", "is_transcript_event"]


def is_transcript_event(event: RoomEvent) -> bool:
    """Whether ``event`` belongs in an AI transcript.

    Only delivered-or-pending messages count: system notices (handoffs, attachments),
    blocked events and events flagged with :data:`INTERNAL_KEY` stay out.
    """
    return (
        event.type is EventType.MESSAGE
        and event.status is not EventStatus.BLOCKED
        and not isinstance(event.content, SystemContent)
        and not event.metadata.get(INTERNAL_KEY)
    )


@dataclass
class MemoryResult:
    """What a memory provider hands the AI channel.

    ``messages`` are ready-made model messages (a summary, synthetic context) placed first;
    ``events`` (oldest first, ending with the event being answered) are converted by the
    channel after them (so vision and sender names apply); ``system_notes`` are appended to
    the system prompt. A provider fills any of them.
    """

    messages: list[AIMessage] = field(default_factory=list)
    events: list[RoomEvent] = field(default_factory=list)
    system_notes: list[str] = field(default_factory=list)


class MemoryProvider(ABC):
    """Chooses the context an AI channel sees.

    ``context.recent_events`` is the tail of the room that the engine already loaded;
    ``store`` (when the channel has one) may be read for more. Implementations keep the cost
    of :meth:`retrieve` independent of the room's total history.
    """

    @property
    def name(self) -> str:
        """A short name of this memory for logs and diagnostics (the class name)."""
        return type(self).__name__

    @property
    def recent_events_wanted(self) -> int:
        """How many of the room's latest events :meth:`retrieve` works from (``0``: none).

        The engine loads at least that many into ``context.recent_events`` of the messages
        of rooms where the channel is bound (above its ``context_events``), so a provider
        that finds its window in the context need not read the store. The default, ``0``,
        asks for nothing beyond ``context_events``.
        """
        return 0

    @abstractmethod
    async def retrieve(
        self,
        room_id: str,
        current_event: RoomEvent,
        context: RoomContext,
        *,
        channel_id: str | None = None,
        store: ConversationStore | None = None,
    ) -> MemoryResult:
        """The events (ending with ``current_event``) and notes for one AI turn."""

    async def ingest(  # noqa: B027 - optional hook, empty by default
        self, room_id: str, event: RoomEvent, *, channel_id: str | None = None
    ) -> None:
        """Observe an event the channel saw (summarising memories override this)."""

    async def clear(self, room_id: str) -> None:  # noqa: B027
        """Forget what was kept for ``room_id`` (stateless memories keep nothing)."""

    async def close(self) -> None:  # noqa: B027
        """Release resources."""
