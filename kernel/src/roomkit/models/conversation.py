"""Per-room conversation state: the phase, the active agent, and how the room got there.

The state lives in ``room.metadata`` under :data:`~roomkit.models.keys.STATE_KEY` as plain
JSON-compatible data, so every store (memory, SQLite, Postgres) persists it without knowing about
orchestration. It is data, read by agents, memory and orchestration alike, so it lives with the
models (and is also importable from :mod:`roomkit.orchestration.state`).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, ValidationError, model_validator

from roomkit.deferred import DeferredModel
from roomkit.errors import ConfigurationError
from roomkit.models._ids import utcnow
from roomkit.models.keys import LANGUAGE_KEY, STATE_KEY
from roomkit.models.room import Room

__all__ = [
    "ConversationPhase",
    "ConversationState",
    "PhaseTransition",
    "get_conversation_state",
    "get_room_language",
    "set_conversation_state",
]

_MAX_HISTORY = 100


class ConversationPhase(StrEnum):
    """The usual phases of a support-style conversation. Phases are plain strings: use these
    or any names of your own (a pipeline's stages name theirs)."""

    INTAKE = "intake"
    QUALIFICATION = "qualification"
    HANDLING = "handling"
    ESCALATION = "escalation"
    RESOLUTION = "resolution"
    FOLLOWUP = "followup"


class PhaseTransition(DeferredModel):
    """One step of a room's history: a phase change, a handoff, or both."""

    from_phase: str | None = None
    to_phase: str
    from_agent: str | None = None
    to_agent: str | None = None
    reason: str | None = None
    summary: str | None = None
    timestamp: datetime = Field(default_factory=utcnow)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _earlier_keys(cls, data: Any) -> Any:
        """States stored before the 0.6.7 field names read ``from_agent_id`` / ``to_agent_id``."""
        if isinstance(data, dict) and ("from_agent_id" in data or "to_agent_id" in data):
            data = dict(data)
            for old, new in (("from_agent_id", "from_agent"), ("to_agent_id", "to_agent")):
                if old in data:
                    data.setdefault(new, data.pop(old))
        return data


class ConversationState(DeferredModel):
    """Where a conversation stands.

    ``phase_history`` keeps the last 100 transitions (oldest first); ``handoff_count`` counts
    every agent change since the room started; ``context`` is free-form data owned by the
    application (customer tier, collected answers ...).
    """

    phase: str = ConversationPhase.INTAKE.value
    active_agent_id: str | None = None
    previous_agent_id: str | None = None
    handoff_count: int = Field(default=0, ge=0)
    phase_started_at: datetime = Field(default_factory=utcnow)
    phase_history: list[PhaseTransition] = Field(default_factory=list)
    context: dict[str, Any] = Field(default_factory=dict)

    @property
    def last_transition(self) -> PhaseTransition | None:
        """The most recent transition, if any."""
        return self.phase_history[-1] if self.phase_history else None

    def transition(
        self,
        to_phase: str | None = None,
        to_agent: str | None = None,
        reason: str | None = None,
        metadata: dict[str, Any] | None = None,
        *,
        summary: str | None = None,
    ) -> "ConversationState":
        """A new state moved to ``to_phase`` / ``to_agent`` (``None`` keeps the current one).

        A change of agent counts as a handoff. The transition is appended to the history.
        """
        new_phase = str(to_phase) if to_phase is not None else self.phase
        new_agent = to_agent if to_agent is not None else self.active_agent_id
        agent_changed = new_agent != self.active_agent_id
        step = PhaseTransition(
            from_phase=self.phase,
            to_phase=new_phase,
            from_agent=self.active_agent_id,
            to_agent=new_agent,
            reason=reason,
            summary=summary,
            metadata=dict(metadata or {}),
        )
        history = [*self.phase_history, step][-_MAX_HISTORY:]
        return self.model_copy(
            update={
                "phase": new_phase,
                "active_agent_id": new_agent,
                "previous_agent_id": self.active_agent_id
                if agent_changed
                else self.previous_agent_id,
                "handoff_count": self.handoff_count + (1 if agent_changed else 0),
                "phase_started_at": step.timestamp
                if new_phase != self.phase
                else self.phase_started_at,
                "phase_history": history,
            }
        )


def get_conversation_state(room: Room) -> ConversationState:
    """The conversation state stored on ``room`` (a fresh default state when there is none).

    Raises :class:`roomkit.errors.ConfigurationError` when the stored value is corrupt.
    """
    raw = room.metadata.get(STATE_KEY)
    if raw is None:
        return ConversationState()
    if isinstance(raw, ConversationState):
        return raw
    try:
        return ConversationState.model_validate(raw)
    except ValidationError as exc:
        raise ConfigurationError(
            f"room {room.id!r} holds an invalid conversation state under "
            f"metadata[{STATE_KEY!r}]; reset it with set_conversation_state(): {exc}"
        ) from exc


def set_conversation_state(room: Room, state: ConversationState) -> Room:
    """A copy of ``room`` carrying ``state``; persist it with ``store.update_room(room)``."""
    if not isinstance(state, ConversationState):
        raise ConfigurationError(
            f"set_conversation_state() needs a ConversationState, got {type(state).__name__}"
        )
    metadata = dict(room.metadata)
    metadata[STATE_KEY] = state.model_dump(mode="json")
    return room.model_copy(update={"metadata": metadata})


def get_room_language(room: Room) -> str | None:
    """The language set for ``room`` with ``HandoffHandler.set_language``, if any."""
    value = room.metadata.get(LANGUAGE_KEY)
    return value if isinstance(value, str) and value else None
