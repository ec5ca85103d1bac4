"""RoomKit: one room, every channel.

This module is the table of contents. Every public name is importable from here and lives
one hop away in the module named in ``_EXPORTS``; nothing is imported until it is first used,
so ``import roomkit`` stays fast. Names that plugins export (``OpenAIAIProvider`` ...) resolve
through the plugin catalogue; when the plugin is missing the ImportError names the
distribution to install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roomkit.lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "AIChannel": "roomkit.channels.ai",
    "AIConfig": "roomkit.models",
    "AIContentPart": "roomkit.models",
    "AIContext": "roomkit.models",
    "AIImagePart": "roomkit.models",
    "AIMessage": "roomkit.models",
    "AIProvider": "roomkit.providers.ai.base",
    "AIResponse": "roomkit.models",
    "AIStreamChunk": "roomkit.models",
    "AITextPart": "roomkit.models",
    "AITool": "roomkit.models",
    "AIToolCall": "roomkit.models",
    "AIUsage": "roomkit.models",
    "Access": "roomkit.models",
    "Agent": "roomkit.channels.agent",
    "AudioContent": "roomkit.models",
    "Catalogue": "roomkit.plugins.catalogue",
    "ChainDepthExceededError": "roomkit.errors",
    "Channel": "roomkit.channels.base",
    "ChannelBinding": "roomkit.models",
    "ChannelCapabilities": "roomkit.models",
    "ChannelCategory": "roomkit.models",
    "ChannelDirection": "roomkit.models",
    "ChannelMediaType": "roomkit.models",
    "ChannelNotFoundError": "roomkit.errors",
    "ChannelNotRegisteredError": "roomkit.errors",
    "ChannelOutput": "roomkit.models",
    "ChannelType": "roomkit.models",
    "CircuitBreaker": "roomkit.core.circuit_breaker",
    "CircuitOpenError": "roomkit.errors",
    "CompositeContent": "roomkit.models",
    "ConfigurationError": "roomkit.errors",
    "ConsoleTelemetryProvider": "roomkit.telemetry.console",
    "ConversationPipeline": "roomkit.orchestration.pipeline",
    "ConversationRouter": "roomkit.orchestration.router",
    "ConversationState": "roomkit.orchestration.state",
    "ConversationStore": "roomkit.store.base",
    "DeleteContent": "roomkit.models",
    "DeliveryError": "roomkit.errors",
    "DeliveryResult": "roomkit.models",
    "DeliveryStatus": "roomkit.models",
    "EditContent": "roomkit.models",
    "EphemeralEvent": "roomkit.models",
    "EphemeralEventType": "roomkit.models",
    "EventContent": "roomkit.models",
    "EventSource": "roomkit.models",
    "EventStatus": "roomkit.models",
    "EventType": "roomkit.models",
    "FallbackAIProvider": "roomkit.providers.ai.fallback",
    "HandoffHandler": "roomkit.orchestration.handoff",
    "HandoffMemoryProvider": "roomkit.memory.handoff",
    "HandoffResult": "roomkit.orchestration.handoff",
    "HookEngine": "roomkit.core.hooks",
    "HookExecution": "roomkit.models",
    "HookRegistration": "roomkit.core.hooks",
    "HookResult": "roomkit.models",
    "HookTimeoutError": "roomkit.errors",
    "HookTrigger": "roomkit.models",
    "IdentificationStatus": "roomkit.models",
    "Identity": "roomkit.models",
    "IdentityResolutionError": "roomkit.errors",
    "IdentityResolver": "roomkit.identity.base",
    "IdentityResult": "roomkit.models",
    "InMemoryLockManager": "roomkit.core.locks",
    "InMemoryRealtime": "roomkit.realtime.memory",
    "InMemoryStore": "roomkit.store.memory",
    "InboundMessage": "roomkit.models",
    "InboundResult": "roomkit.models",
    "InvalidContentError": "roomkit.errors",
    "LocationContent": "roomkit.models",
    "MediaContent": "roomkit.models",
    "MemoryProvider": "roomkit.memory.base",
    "MockAIProvider": "roomkit.providers.ai.mock",
    "MockIdentityResolver": "roomkit.identity.mock",
    "NoopTelemetryProvider": "roomkit.telemetry.base",
    "Observation": "roomkit.models",
    "Participant": "roomkit.models",
    "ParticipantRole": "roomkit.models",
    "PayloadTooLargeError": "roomkit.errors",
    "PhaseTransition": "roomkit.orchestration.state",
    "PipelineStage": "roomkit.orchestration.pipeline",
    "PluginError": "roomkit.errors",
    "ProviderError": "roomkit.errors",
    "RateLimit": "roomkit.models",
    "RateLimitedError": "roomkit.errors",
    "RealtimeBackend": "roomkit.realtime.base",
    "RetryPolicy": "roomkit.models",
    "RichButton": "roomkit.models",
    "RichCard": "roomkit.models",
    "RichContent": "roomkit.models",
    "Room": "roomkit.models",
    "RoomClosedError": "roomkit.errors",
    "RoomContext": "roomkit.models",
    "RoomEvent": "roomkit.models",
    "RoomKit": "roomkit.core.framework",
    "RoomKitError": "roomkit.errors",
    "RoomLockManager": "roomkit.core.locks",
    "RoomLockTimeoutError": "roomkit.errors",
    "RoomNotFoundError": "roomkit.errors",
    "RoomStatus": "roomkit.models",
    "RoomTimers": "roomkit.models",
    "Skill": "roomkit.skills.registry",
    "SkillMetadata": "roomkit.skills.registry",
    "SkillRegistry": "roomkit.skills.registry",
    "SlidingWindowMemory": "roomkit.memory.sliding_window",
    "StoreError": "roomkit.errors",
    "SystemContent": "roomkit.models",
    "Task": "roomkit.models",
    "TaskStatus": "roomkit.models",
    "TelemetryConfig": "roomkit.telemetry.base",
    "TelemetryProvider": "roomkit.telemetry.base",
    "TemplateContent": "roomkit.models",
    "TextContent": "roomkit.models",
    "TokenBucketRateLimiter": "roomkit.core.rate_limiter",
    "ToolHandler": "roomkit.tools.compose",
    "ToolPolicy": "roomkit.tools.policy",
    "TransportChannel": "roomkit.channels.transport",
    "VideoContent": "roomkit.models",
    "WebSocketChannel": "roomkit.channels.websocket",
    "compose_tool_handlers": "roomkit.tools.compose",
    "get_agents_md": "roomkit.ai_docs",
    "get_ai_context": "roomkit.ai_docs",
    "get_catalogue": "roomkit.plugins.catalogue",
    "get_conversation_state": "roomkit.orchestration.state",
    "get_llms_txt": "roomkit.ai_docs",
    "set_conversation_state": "roomkit.orchestration.state",
}

__all__ = [
    "AIChannel",
    "AIConfig",
    "AIContentPart",
    "AIContext",
    "AIImagePart",
    "AIMessage",
    "AIProvider",
    "AIResponse",
    "AIStreamChunk",
    "AITextPart",
    "AITool",
    "AIToolCall",
    "AIUsage",
    "Access",
    "Agent",
    "AudioContent",
    "Catalogue",
    "ChainDepthExceededError",
    "Channel",
    "ChannelBinding",
    "ChannelCapabilities",
    "ChannelCategory",
    "ChannelDirection",
    "ChannelMediaType",
    "ChannelNotFoundError",
    "ChannelNotRegisteredError",
    "ChannelOutput",
    "ChannelType",
    "CircuitBreaker",
    "CircuitOpenError",
    "CompositeContent",
    "ConfigurationError",
    "ConsoleTelemetryProvider",
    "ConversationPipeline",
    "ConversationRouter",
    "ConversationState",
    "ConversationStore",
    "DeleteContent",
    "DeliveryError",
    "DeliveryResult",
    "DeliveryStatus",
    "EditContent",
    "EphemeralEvent",
    "EphemeralEventType",
    "EventContent",
    "EventSource",
    "EventStatus",
    "EventType",
    "FallbackAIProvider",
    "HandoffHandler",
    "HandoffMemoryProvider",
    "HandoffResult",
    "HookEngine",
    "HookExecution",
    "HookRegistration",
    "HookResult",
    "HookTimeoutError",
    "HookTrigger",
    "IdentificationStatus",
    "Identity",
    "IdentityResolutionError",
    "IdentityResolver",
    "IdentityResult",
    "InMemoryLockManager",
    "InMemoryRealtime",
    "InMemoryStore",
    "InboundMessage",
    "InboundResult",
    "InvalidContentError",
    "LocationContent",
    "MediaContent",
    "MemoryProvider",
    "MockAIProvider",
    "MockIdentityResolver",
    "NoopTelemetryProvider",
    "Observation",
    "Participant",
    "ParticipantRole",
    "PayloadTooLargeError",
    "PhaseTransition",
    "PipelineStage",
    "PluginError",
    "ProviderError",
    "RateLimit",
    "RateLimitedError",
    "RealtimeBackend",
    "RetryPolicy",
    "RichButton",
    "RichCard",
    "RichContent",
    "Room",
    "RoomClosedError",
    "RoomContext",
    "RoomEvent",
    "RoomKit",
    "RoomKitError",
    "RoomLockManager",
    "RoomLockTimeoutError",
    "RoomNotFoundError",
    "RoomStatus",
    "RoomTimers",
    "Skill",
    "SkillMetadata",
    "SkillRegistry",
    "SlidingWindowMemory",
    "StoreError",
    "SystemContent",
    "Task",
    "TaskStatus",
    "TelemetryConfig",
    "TelemetryProvider",
    "TemplateContent",
    "TextContent",
    "TokenBucketRateLimiter",
    "ToolHandler",
    "ToolPolicy",
    "TransportChannel",
    "VideoContent",
    "WebSocketChannel",
    "__version__",
    "compose_tool_handlers",
    "get_agents_md",
    "get_ai_context",
    "get_catalogue",
    "get_conversation_state",
    "get_llms_txt",
    "set_conversation_state",
]


def _plugin_export(name: str) -> Any:
    from roomkit.plugins.catalogue import resolve_export

    return resolve_export(name)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), fallback=_plugin_export)


if TYPE_CHECKING:
    from roomkit.ai_docs import (
        get_agents_md,
        get_ai_context,
        get_llms_txt,
    )
    from roomkit.channels.agent import (
        Agent,
    )
    from roomkit.channels.ai import (
        AIChannel,
    )
    from roomkit.channels.base import (
        Channel,
    )
    from roomkit.channels.transport import (
        TransportChannel,
    )
    from roomkit.channels.websocket import (
        WebSocketChannel,
    )
    from roomkit.core.circuit_breaker import (
        CircuitBreaker,
    )
    from roomkit.core.framework import (
        RoomKit,
    )
    from roomkit.core.hooks import (
        HookEngine,
        HookRegistration,
    )
    from roomkit.core.locks import (
        InMemoryLockManager,
        RoomLockManager,
    )
    from roomkit.core.rate_limiter import (
        TokenBucketRateLimiter,
    )
    from roomkit.errors import (
        ChainDepthExceededError,
        ChannelNotFoundError,
        ChannelNotRegisteredError,
        CircuitOpenError,
        ConfigurationError,
        DeliveryError,
        HookTimeoutError,
        IdentityResolutionError,
        InvalidContentError,
        PayloadTooLargeError,
        PluginError,
        ProviderError,
        RateLimitedError,
        RoomClosedError,
        RoomKitError,
        RoomLockTimeoutError,
        RoomNotFoundError,
        StoreError,
    )
    from roomkit.identity.base import (
        IdentityResolver,
    )
    from roomkit.identity.mock import (
        MockIdentityResolver,
    )
    from roomkit.memory.base import (
        MemoryProvider,
    )
    from roomkit.memory.handoff import (
        HandoffMemoryProvider,
    )
    from roomkit.memory.sliding_window import (
        SlidingWindowMemory,
    )
    from roomkit.models import (
        Access,
        AIConfig,
        AIContentPart,
        AIContext,
        AIImagePart,
        AIMessage,
        AIResponse,
        AIStreamChunk,
        AITextPart,
        AITool,
        AIToolCall,
        AIUsage,
        AudioContent,
        ChannelBinding,
        ChannelCapabilities,
        ChannelCategory,
        ChannelDirection,
        ChannelMediaType,
        ChannelOutput,
        ChannelType,
        CompositeContent,
        DeleteContent,
        DeliveryResult,
        DeliveryStatus,
        EditContent,
        EphemeralEvent,
        EphemeralEventType,
        EventContent,
        EventSource,
        EventStatus,
        EventType,
        HookExecution,
        HookResult,
        HookTrigger,
        IdentificationStatus,
        Identity,
        IdentityResult,
        InboundMessage,
        InboundResult,
        LocationContent,
        MediaContent,
        Observation,
        Participant,
        ParticipantRole,
        RateLimit,
        RetryPolicy,
        RichButton,
        RichCard,
        RichContent,
        Room,
        RoomContext,
        RoomEvent,
        RoomStatus,
        RoomTimers,
        SystemContent,
        Task,
        TaskStatus,
        TemplateContent,
        TextContent,
        VideoContent,
    )
    from roomkit.orchestration.handoff import (
        HandoffHandler,
        HandoffResult,
    )
    from roomkit.orchestration.pipeline import (
        ConversationPipeline,
        PipelineStage,
    )
    from roomkit.orchestration.router import (
        ConversationRouter,
    )
    from roomkit.orchestration.state import (
        ConversationState,
        PhaseTransition,
        get_conversation_state,
        set_conversation_state,
    )
    from roomkit.plugins.catalogue import (
        Catalogue,
        get_catalogue,
    )
    from roomkit.providers.ai.base import (
        AIProvider,
    )
    from roomkit.providers.ai.fallback import (
        FallbackAIProvider,
    )
    from roomkit.providers.ai.mock import (
        MockAIProvider,
    )
    from roomkit.realtime.base import (
        RealtimeBackend,
    )
    from roomkit.realtime.memory import (
        InMemoryRealtime,
    )
    from roomkit.skills.registry import (
        Skill,
        SkillMetadata,
        SkillRegistry,
    )
    from roomkit.store.base import (
        ConversationStore,
    )
    from roomkit.store.memory import (
        InMemoryStore,
    )
    from roomkit.telemetry.base import (
        NoopTelemetryProvider,
        TelemetryConfig,
        TelemetryProvider,
    )
    from roomkit.telemetry.console import (
        ConsoleTelemetryProvider,
    )
    from roomkit.tools.compose import (
        ToolHandler,
        compose_tool_handlers,
    )
    from roomkit.tools.policy import (
        ToolPolicy,
    )
