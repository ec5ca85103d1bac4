"""ConversationState stored on the room."""

from __future__ import annotations

import pytest

from roomkit import ConversationState, Room, get_conversation_state, set_conversation_state
from roomkit.errors import ConfigurationError
from roomkit.orchestration.state import STATE_KEY


def test_default_state_when_room_has_none() -> None:
    state = get_conversation_state(Room(id="r"))
    assert state.active_agent_id is None
    assert state.handoff_count == 0
    assert state.phase_history == []


def test_round_trip_through_room_metadata_as_json() -> None:
    room = Room(id="r", metadata={"keep": 1})
    state = ConversationState(phase="triage", active_agent_id="a", context={"tier": "gold"})
    updated = set_conversation_state(room, state)
    assert STATE_KEY not in room.metadata  # the original room is untouched
    assert updated.metadata["keep"] == 1
    assert isinstance(updated.metadata[STATE_KEY], dict)
    restored = Room.model_validate_json(updated.model_dump_json())
    assert get_conversation_state(restored) == get_conversation_state(updated)
    assert get_conversation_state(restored).context == {"tier": "gold"}


def test_transition_records_history_and_counts_handoffs() -> None:
    state = ConversationState(phase="triage", active_agent_id="a")
    moved = state.transition(to_phase="handling", to_agent="b", reason="needs help")
    assert (moved.phase, moved.active_agent_id, moved.previous_agent_id) == ("handling", "b", "a")
    assert moved.handoff_count == 1
    (step,) = moved.phase_history
    assert (step.from_phase, step.to_phase, step.reason) == ("triage", "handling", "needs help")
    same_agent = moved.transition(to_phase="closing")
    assert same_agent.handoff_count == 1
    assert same_agent.active_agent_id == "b"
    assert len(same_agent.phase_history) == 2
    assert state.phase_history == []  # immutable style: the old state is unchanged


def test_history_is_bounded() -> None:
    state = ConversationState(active_agent_id="a")
    for i in range(150):
        state = state.transition(to_agent="b" if i % 2 == 0 else "a")
    assert len(state.phase_history) == 100
    assert state.handoff_count == 150


def test_invalid_stored_state_and_wrong_type() -> None:
    room = Room(id="r", metadata={STATE_KEY: {"handoff_count": -3}})
    with pytest.raises(ConfigurationError, match="invalid conversation state"):
        get_conversation_state(room)
    with pytest.raises(ConfigurationError):
        set_conversation_state(Room(id="r"), {"phase": "x"})  # type: ignore[arg-type]
