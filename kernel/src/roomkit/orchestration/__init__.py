"""Multi-agent orchestration: conversation state, routing, handoffs and pipelines.

Names are imported lazily so that ``roomkit.orchestration.state`` stays cheap to import.
"""

from __future__ import annotations

from roomkit.lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
