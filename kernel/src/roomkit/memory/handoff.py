"""Handoff-aware memory: tells the agent who handed the conversation over, and why."""

from __future__ import annotations

from roomkit.memory.base import MemoryProvider, MemoryResult
from roomkit.models.context import RoomContext
from roomkit.models.conversation import get_conversation_state
from roomkit.models.event import RoomEvent
from roomkit.store.base import ConversationStore

__all__ = ["HandoffMemoryProvider"]


class HandoffMemoryProvider(MemoryProvider):
    """Wraps another memory and adds a note about the last handoff to the current agent.

    The note (previous agent, reason, summary, phase) comes from the room's
    :class:`~roomkit.models.conversation.ConversationState`; it is added only for the agent
    the conversation was handed to.
    """

    def __init__(self, inner: MemoryProvider) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        """``Handoff(<inner memory's name>)``."""
        inner = getattr(self.inner, "name", None)
        return f"Handoff({inner if isinstance(inner, str) else type(self.inner).__name__})"

    @property
    def recent_events_wanted(self) -> int:
        """The inner memory's (``0`` when it does not say)."""
        wanted = getattr(self.inner, "recent_events_wanted", 0)
        return wanted if isinstance(wanted, int) else 0

    async def retrieve(
        self,
        room_id: str,
        current_event: RoomEvent,
        context: RoomContext,
        *,
        channel_id: str | None = None,
        store: ConversationStore | None = None,
    ) -> MemoryResult:
        """The inner memory's result plus the handoff note."""
        result = await self.inner.retrieve(
            room_id, current_event, context, channel_id=channel_id, store=store
        )
        note = self.handoff_note(context, channel_id)
        if note:
            result.system_notes.insert(0, note)
        return result

    @staticmethod
    def handoff_note(context: RoomContext, channel_id: str | None) -> str | None:
        """The note for ``channel_id`` if it received the conversation through a handoff."""
        state = get_conversation_state(context.room)
        last = state.last_transition
        if (
            last is None
            or channel_id is None
            or state.active_agent_id != channel_id
            or last.to_agent != channel_id
            or last.from_agent in (None, channel_id)
        ):
            return None
        lines = [f"This conversation was handed off to you by {last.from_agent}."]
        if last.reason:
            lines.append(f"Reason: {last.reason}")
        if last.summary:
            lines.append(f"Summary so far: {last.summary}")
        lines.append(f"Current phase: {state.phase}")
        return "\n".join(lines)

    async def ingest(
        self, room_id: str, event: RoomEvent, *, channel_id: str | None = None
    ) -> None:
        """Forward to the inner memory."""
        await self.inner.ingest(room_id, event, channel_id=channel_id)

    async def clear(self, room_id: str) -> None:
        """Forward to the inner memory."""
        await self.inner.clear(room_id)

    async def close(self) -> None:
        """Close the inner memory."""
        await self.inner.close()
