"""Multi-agent orchestration: conversation state, routing, handoffs and pipelines.

Names are imported lazily so that ``roomkit.orchestration.state`` stays cheap to import.
"""

from __future__ import annotations

from roomkit.lazy import lazy_exports

__all__ = [
    "HANDOFF_TOOL",
    "ConversationPhase",
    "ConversationPipeline",
    "ConversationRouter",
    "ConversationState",
    "DefaultInboundRoomRouter",
    "HandoffHandler",
    "HandoffRequest",
    "HandoffResult",
    "InboundRoomRouter",
    "PhaseTransition",
    "PipelineStage",
    "RoutingConditions",
    "RoutingRule",
    "build_handoff_tool",
    "get_conversation_state",
    "handoff_tool",
    "set_conversation_state",
    "setup_handoff",
]

_WHERE = {
    "HANDOFF_TOOL": "roomkit.orchestration.handoff",
    "ConversationPhase": "roomkit.models.conversation",
    "DefaultInboundRoomRouter": "roomkit.orchestration.inbound_router",
    "InboundRoomRouter": "roomkit.orchestration.inbound_router",
    "RoutingConditions": "roomkit.orchestration.router",
    "RoutingRule": "roomkit.orchestration.router",
    "build_handoff_tool": "roomkit.orchestration.handoff",
    "setup_handoff": "roomkit.orchestration.handoff",
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
