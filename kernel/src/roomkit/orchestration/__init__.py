"""Multi-agent orchestration: conversation state, routing, handoffs and pipelines.

Names are imported lazily so that ``roomkit.orchestration.state`` stays cheap to import.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "ConversationPipeline",
    "ConversationRouter",
    "ConversationState",
    "HandoffHandler",
    "HandoffRequest",
    "HandoffResult",
    "PhaseTransition",
    "PipelineStage",
    "get_conversation_state",
    "handoff_tool",
    "set_conversation_state",
]

_WHERE = {
    "ConversationPipeline": "roomkit.orchestration.pipeline",
    "ConversationRouter": "roomkit.orchestration.router",
    "ConversationState": "roomkit.orchestration.state",
    "HandoffHandler": "roomkit.orchestration.handoff",
    "HandoffRequest": "roomkit.orchestration.handoff",
    "HandoffResult": "roomkit.orchestration.handoff",
    "PhaseTransition": "roomkit.orchestration.state",
    "PipelineStage": "roomkit.orchestration.pipeline",
    "get_conversation_state": "roomkit.orchestration.state",
    "handoff_tool": "roomkit.orchestration.handoff",
    "set_conversation_state": "roomkit.orchestration.state",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'roomkit.orchestration' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
