"""Per-room conversation state (defined in :mod:`roomkit.models.conversation`).

Kept as the orchestration path of these names: the state is plain data that agents and memory
read too, so it lives with the models, below the layers that use it.
"""

from __future__ import annotations

from roomkit.models.conversation import (
    ConversationState,
    PhaseTransition,
    get_conversation_state,
    get_room_language,
    set_conversation_state,
)
from roomkit.models.keys import LANGUAGE_KEY, STATE_KEY

__all__ = [
    "LANGUAGE_KEY",
    "STATE_KEY",
    "ConversationState",
    "PhaseTransition",
    "get_conversation_state",
    "get_room_language",
    "set_conversation_state",
]
