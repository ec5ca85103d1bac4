"""Pydantic models and enums: the data that flows through RoomKit.

Nothing is imported until a name is used: the ``if TYPE_CHECKING:`` block is the list of
names (read at run time by :class:`roomkit.lazy.TypeCheckingExports`), so importing one model
module does not import them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import TypeCheckingExports, lazy_exports

if TYPE_CHECKING:
    from roomkit.models.ai import AIContentPart as AIContentPart
    from roomkit.models.ai import AIContext as AIContext
    from roomkit.models.ai import AIImagePart as AIImagePart
    from roomkit.models.ai import AIMessage as AIMessage
    from roomkit.models.ai import AIResponse as AIResponse
    from roomkit.models.ai import AIStreamChunk as AIStreamChunk
    from roomkit.models.ai import AITextPart as AITextPart
    from roomkit.models.ai import AIThinkingPart as AIThinkingPart
    from roomkit.models.ai import AIToolCall as AIToolCall
    from roomkit.models.ai import AIToolCallPart as AIToolCallPart
    from roomkit.models.ai import AIToolResultPart as AIToolResultPart
    from roomkit.models.ai import AIUsage as AIUsage
    from roomkit.models.content import AudioContent as AudioContent
    from roomkit.models.content import CompositeContent as CompositeContent
    from roomkit.models.content import DeleteContent as DeleteContent
    from roomkit.models.content import EditContent as EditContent
    from roomkit.models.content import EventContent as EventContent
    from roomkit.models.content import LocationContent as LocationContent
    from roomkit.models.content import MediaContent as MediaContent
    from roomkit.models.content import RichButton as RichButton
    from roomkit.models.content import RichCard as RichCard
    from roomkit.models.content import RichContent as RichContent
    from roomkit.models.content import SystemContent as SystemContent
    from roomkit.models.content import TemplateContent as TemplateContent
    from roomkit.models.content import TextContent as TextContent
    from roomkit.models.content import VideoContent as VideoContent
    from roomkit.models.context import RoomContext as RoomContext
    from roomkit.models.enums import Access as Access
    from roomkit.models.enums import ChannelCategory as ChannelCategory
    from roomkit.models.enums import ChannelDirection as ChannelDirection
    from roomkit.models.enums import ChannelMediaType as ChannelMediaType
    from roomkit.models.enums import ChannelType as ChannelType
    from roomkit.models.enums import DeleteType as DeleteType
    from roomkit.models.enums import DeliveryStatus as DeliveryStatus
    from roomkit.models.enums import EphemeralEventType as EphemeralEventType
    from roomkit.models.enums import EventStatus as EventStatus
    from roomkit.models.enums import EventType as EventType
    from roomkit.models.enums import HookExecution as HookExecution
    from roomkit.models.enums import HookTrigger as HookTrigger
    from roomkit.models.enums import IdentificationStatus as IdentificationStatus
    from roomkit.models.enums import ParticipantRole as ParticipantRole
    from roomkit.models.enums import ParticipantStatus as ParticipantStatus
    from roomkit.models.enums import RoomStatus as RoomStatus
    from roomkit.models.enums import TaskStatus as TaskStatus
    from roomkit.models.event import ChannelData as ChannelData
    from roomkit.models.event import DeliveryResult as DeliveryResult
    from roomkit.models.event import EphemeralEvent as EphemeralEvent
    from roomkit.models.event import EventSource as EventSource
    from roomkit.models.event import FrameworkEvent as FrameworkEvent
    from roomkit.models.event import InboundMessage as InboundMessage
    from roomkit.models.event import InboundResult as InboundResult
    from roomkit.models.event import RoomEvent as RoomEvent
    from roomkit.models.hooks import ChannelOutput as ChannelOutput
    from roomkit.models.hooks import HookResult as HookResult
    from roomkit.models.hooks import IdentityHookResult as IdentityHookResult
    from roomkit.models.hooks import InjectedEvent as InjectedEvent
    from roomkit.models.participant import Identity as Identity
    from roomkit.models.participant import IdentityResult as IdentityResult
    from roomkit.models.participant import Participant as Participant
    from roomkit.models.room import AIConfig as AIConfig
    from roomkit.models.room import AITool as AITool
    from roomkit.models.room import ChannelBinding as ChannelBinding
    from roomkit.models.room import ChannelCapabilities as ChannelCapabilities
    from roomkit.models.room import RateLimit as RateLimit
    from roomkit.models.room import RetryPolicy as RetryPolicy
    from roomkit.models.room import Room as Room
    from roomkit.models.room import RoomTimers as RoomTimers
    from roomkit.models.streaming import StreamChunk as StreamChunk
    from roomkit.models.streaming import StreamDone as StreamDone
    from roomkit.models.streaming import StreamEnd as StreamEnd
    from roomkit.models.streaming import StreamError as StreamError
    from roomkit.models.streaming import StreamEvent as StreamEvent
    from roomkit.models.streaming import StreamMessage as StreamMessage
    from roomkit.models.streaming import StreamSendFn as StreamSendFn
    from roomkit.models.streaming import StreamStart as StreamStart
    from roomkit.models.streaming import StreamTextDelta as StreamTextDelta
    from roomkit.models.streaming import StreamThinkingDelta as StreamThinkingDelta
    from roomkit.models.streaming import StreamToolCall as StreamToolCall
    from roomkit.models.task import Observation as Observation
    from roomkit.models.task import Task as Task

__all__ = [
    "AIConfig",
    "AIContentPart",
    "AIContext",
    "AIImagePart",
    "AIMessage",
    "AIResponse",
    "AIStreamChunk",
    "AITextPart",
    "AIThinkingPart",
    "AITool",
    "AIToolCall",
    "AIToolCallPart",
    "AIToolResultPart",
    "AIUsage",
    "Access",
    "AudioContent",
    "ChannelBinding",
    "ChannelCapabilities",
    "ChannelCategory",
    "ChannelData",
    "ChannelDirection",
    "ChannelMediaType",
    "ChannelOutput",
    "ChannelType",
    "CompositeContent",
    "DeleteContent",
    "DeleteType",
    "DeliveryResult",
    "DeliveryStatus",
    "EditContent",
    "EphemeralEvent",
    "EphemeralEventType",
    "EventContent",
    "EventSource",
    "EventStatus",
    "EventType",
    "FrameworkEvent",
    "HookExecution",
    "HookResult",
    "HookTrigger",
    "IdentificationStatus",
    "Identity",
    "IdentityHookResult",
    "IdentityResult",
    "InboundMessage",
    "InboundResult",
    "InjectedEvent",
    "LocationContent",
    "MediaContent",
    "Observation",
    "Participant",
    "ParticipantRole",
    "ParticipantStatus",
    "RateLimit",
    "RetryPolicy",
    "RichButton",
    "RichCard",
    "RichContent",
    "Room",
    "RoomContext",
    "RoomEvent",
    "RoomStatus",
    "RoomTimers",
    "StreamChunk",
    "StreamDone",
    "StreamEnd",
    "StreamError",
    "StreamEvent",
    "StreamMessage",
    "StreamSendFn",
    "StreamStart",
    "StreamTextDelta",
    "StreamThinkingDelta",
    "StreamToolCall",
    "SystemContent",
    "Task",
    "TaskStatus",
    "TemplateContent",
    "TextContent",
    "VideoContent",
]

_EXPORTS = TypeCheckingExports(__name__)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
