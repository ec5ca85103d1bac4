"""RoomKit: one room, every channel.

This module is the table of contents. Every public name is importable from here and lives
one hop away, in the module named in the ``if TYPE_CHECKING:`` block below. That block is the
one list of public names: type checkers and IDEs read it as written, and at run time
``__all__``, ``dir(roomkit)`` and the lazy lookups are derived from it
(:class:`roomkit.lazy.TypeCheckingExports`), so nothing is imported until it is first used and
``import roomkit`` stays fast. Names that plugins export (``OpenAIAIProvider`` ...) resolve
through the plugin catalogue; when the plugin is missing the error names the distribution to
install.
"""

from __future__ import annotations

from roomkit import lazy
from roomkit.lazy import TypeCheckingExports, lazy_exports

# Type checkers treat any ``TYPE_CHECKING`` name as true; at run time this one spares
# ``import roomkit`` the import of :mod:`typing` (most of its cost otherwise). ``lazy.Any``
# (``typing.Any`` to type checkers) keeps the block below the only ``if TYPE_CHECKING:``.
TYPE_CHECKING = False

__version__ = "0.1.0"

_EXPORTS = TypeCheckingExports(__name__)
"""``name -> module`` of every public name, read from the block at the end of this file."""


def _plugin_export(name: str) -> lazy.Any:
    # lazy: the plugin catalogue (pluggy, entry points) only for plugin names
    from roomkit.plugins.catalogue import resolve_export

    return resolve_export(name)


_lookup, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), fallback=_plugin_export)


def __getattr__(name: str) -> lazy.Any:
    if name == "__all__":
        names = globals()["__all__"] = sorted([*_EXPORTS, "__version__"])
        return names
    return _lookup(name)


if TYPE_CHECKING:
    from roomkit.ai_docs import get_agents_md as get_agents_md
    from roomkit.ai_docs import get_ai_context as get_ai_context
    from roomkit.ai_docs import get_llms_txt as get_llms_txt
    from roomkit.channels.agent import Agent as Agent
    from roomkit.channels.ai import AIChannel as AIChannel
    from roomkit.channels.base import Channel as Channel
    from roomkit.channels.email import EmailChannel as EmailChannel
    from roomkit.channels.engine import RoomEngine as RoomEngine
    from roomkit.channels.http import HTTPChannel as HTTPChannel
    from roomkit.channels.messenger import MessengerChannel as MessengerChannel
    from roomkit.channels.rcs import RCSChannel as RCSChannel
    from roomkit.channels.realtime_voice import RealtimeVoiceChannel as RealtimeVoiceChannel
    from roomkit.channels.sms import SMSChannel as SMSChannel
    from roomkit.channels.teams import TeamsChannel as TeamsChannel
    from roomkit.channels.telegram import TelegramChannel as TelegramChannel
    from roomkit.channels.transport import TransportChannel as TransportChannel
    from roomkit.channels.voice import VoiceChannel as VoiceChannel
    from roomkit.channels.websocket import WebSocketChannel as WebSocketChannel
    from roomkit.channels.whatsapp import WhatsAppChannel as WhatsAppChannel
    from roomkit.channels.whatsapp_personal import (
        WhatsAppPersonalChannel as WhatsAppPersonalChannel,
    )
    from roomkit.core.circuit_breaker import CircuitBreaker as CircuitBreaker
    from roomkit.core.framework import RoomKit as RoomKit
    from roomkit.core.hooks import HookEngine as HookEngine
    from roomkit.core.locks import InMemoryLockManager as InMemoryLockManager
    from roomkit.core.locks import RoomLockManager as RoomLockManager
    from roomkit.core.rate_limiter import TokenBucketRateLimiter as TokenBucketRateLimiter
    from roomkit.errors import ChainDepthExceededError as ChainDepthExceededError
    from roomkit.errors import ChannelNotFoundError as ChannelNotFoundError
    from roomkit.errors import ChannelNotRegisteredError as ChannelNotRegisteredError
    from roomkit.errors import CircuitOpenError as CircuitOpenError
    from roomkit.errors import ConfigurationError as ConfigurationError
    from roomkit.errors import DeliveryError as DeliveryError
    from roomkit.errors import HookTimeoutError as HookTimeoutError
    from roomkit.errors import IdentityNotFoundError as IdentityNotFoundError
    from roomkit.errors import IdentityResolutionError as IdentityResolutionError
    from roomkit.errors import InvalidContentError as InvalidContentError
    from roomkit.errors import MissingDependencyError as MissingDependencyError
    from roomkit.errors import ParticipantNotFoundError as ParticipantNotFoundError
    from roomkit.errors import PayloadTooLargeError as PayloadTooLargeError
    from roomkit.errors import PermanentProviderError as PermanentProviderError
    from roomkit.errors import PluginError as PluginError
    from roomkit.errors import ProviderError as ProviderError
    from roomkit.errors import ProviderTimeoutError as ProviderTimeoutError
    from roomkit.errors import RateLimitedError as RateLimitedError
    from roomkit.errors import RoomClosedError as RoomClosedError
    from roomkit.errors import RoomKitError as RoomKitError
    from roomkit.errors import RoomLockTimeoutError as RoomLockTimeoutError
    from roomkit.errors import RoomNotFoundError as RoomNotFoundError
    from roomkit.errors import SourceAlreadyAttachedError as SourceAlreadyAttachedError
    from roomkit.errors import SourceNotFoundError as SourceNotFoundError
    from roomkit.errors import StoreError as StoreError
    from roomkit.errors import StoreInputError as StoreInputError
    from roomkit.errors import TaskRunnerError as TaskRunnerError
    from roomkit.errors import TransientProviderError as TransientProviderError
    from roomkit.errors import VoiceBackendNotConfiguredError as VoiceBackendNotConfiguredError
    from roomkit.errors import VoiceNotConfiguredError as VoiceNotConfiguredError
    from roomkit.errors import WebhookError as WebhookError
    from roomkit.errors import WebhookPayloadError as WebhookPayloadError
    from roomkit.errors import WebhookSignatureError as WebhookSignatureError
    from roomkit.identity.base import IdentityResolver as IdentityResolver
    from roomkit.identity.mock import MockIdentityResolver as MockIdentityResolver
    from roomkit.memory.base import MemoryProvider as MemoryProvider
    from roomkit.memory.base import MemoryResult as MemoryResult
    from roomkit.memory.handoff import HandoffMemoryProvider as HandoffMemoryProvider
    from roomkit.memory.mock import MockMemoryProvider as MockMemoryProvider
    from roomkit.memory.sliding_window import SlidingWindowMemory as SlidingWindowMemory
    from roomkit.messaging.meta import WebhookMeta as WebhookMeta
    from roomkit.messaging.meta import extract_sms_meta as extract_sms_meta
    from roomkit.messaging.phone import is_valid_phone as is_valid_phone
    from roomkit.messaging.phone import normalize_phone as normalize_phone
    from roomkit.models import Access as Access
    from roomkit.models import AIConfig as AIConfig
    from roomkit.models import AIContentPart as AIContentPart
    from roomkit.models import AIContext as AIContext
    from roomkit.models import AIImagePart as AIImagePart
    from roomkit.models import AIMessage as AIMessage
    from roomkit.models import AIResponse as AIResponse
    from roomkit.models import AIStreamChunk as AIStreamChunk
    from roomkit.models import AITextPart as AITextPart
    from roomkit.models import AITool as AITool
    from roomkit.models import AIToolCall as AIToolCall
    from roomkit.models import AIUsage as AIUsage
    from roomkit.models import AudioContent as AudioContent
    from roomkit.models import ChannelBinding as ChannelBinding
    from roomkit.models import ChannelCapabilities as ChannelCapabilities
    from roomkit.models import ChannelCategory as ChannelCategory
    from roomkit.models import ChannelDirection as ChannelDirection
    from roomkit.models import ChannelMediaType as ChannelMediaType
    from roomkit.models import ChannelOutput as ChannelOutput
    from roomkit.models import ChannelType as ChannelType
    from roomkit.models import CompositeContent as CompositeContent
    from roomkit.models import DeleteContent as DeleteContent
    from roomkit.models import DeliveryResult as DeliveryResult
    from roomkit.models import DeliveryStatus as DeliveryStatus
    from roomkit.models import EditContent as EditContent
    from roomkit.models import EphemeralEvent as EphemeralEvent
    from roomkit.models import EphemeralEventType as EphemeralEventType
    from roomkit.models import EventContent as EventContent
    from roomkit.models import EventSource as EventSource
    from roomkit.models import EventStatus as EventStatus
    from roomkit.models import EventType as EventType
    from roomkit.models import HookExecution as HookExecution
    from roomkit.models import HookResult as HookResult
    from roomkit.models import HookTrigger as HookTrigger
    from roomkit.models import IdentificationStatus as IdentificationStatus
    from roomkit.models import Identity as Identity
    from roomkit.models import IdentityResult as IdentityResult
    from roomkit.models import InboundMessage as InboundMessage
    from roomkit.models import InboundResult as InboundResult
    from roomkit.models import LocationContent as LocationContent
    from roomkit.models import MediaContent as MediaContent
    from roomkit.models import Observation as Observation
    from roomkit.models import Participant as Participant
    from roomkit.models import ParticipantRole as ParticipantRole
    from roomkit.models import RateLimit as RateLimit
    from roomkit.models import RetryPolicy as RetryPolicy
    from roomkit.models import RichButton as RichButton
    from roomkit.models import RichCard as RichCard
    from roomkit.models import RichContent as RichContent
    from roomkit.models import Room as Room
    from roomkit.models import RoomContext as RoomContext
    from roomkit.models import RoomEvent as RoomEvent
    from roomkit.models import RoomStatus as RoomStatus
    from roomkit.models import RoomTimers as RoomTimers
    from roomkit.models import SystemContent as SystemContent
    from roomkit.models import Task as Task
    from roomkit.models import TaskStatus as TaskStatus
    from roomkit.models import TemplateContent as TemplateContent
    from roomkit.models import TextContent as TextContent
    from roomkit.models import VideoContent as VideoContent
    from roomkit.models.ai import AIThinkingPart as AIThinkingPart
    from roomkit.models.ai import AIToolCallPart as AIToolCallPart
    from roomkit.models.ai import AIToolResultPart as AIToolResultPart
    from roomkit.models.conversation import ConversationPhase as ConversationPhase
    from roomkit.models.conversation import ConversationState as ConversationState
    from roomkit.models.conversation import PhaseTransition as PhaseTransition
    from roomkit.models.conversation import get_conversation_state as get_conversation_state
    from roomkit.models.conversation import set_conversation_state as set_conversation_state
    from roomkit.models.delivery import DeliveryStatusUpdate as DeliveryStatusUpdate
    from roomkit.models.delivery import ProviderResult as ProviderResult
    from roomkit.models.enums import DeleteType as DeleteType
    from roomkit.models.enums import DeliveryMode as DeliveryMode
    from roomkit.models.enums import ParticipantStatus as ParticipantStatus
    from roomkit.models.event import ChannelData as ChannelData
    from roomkit.models.event import FrameworkEvent as FrameworkEvent
    from roomkit.models.hooks import HookRegistration as HookRegistration
    from roomkit.models.hooks import IdentityHookResult as IdentityHookResult
    from roomkit.models.hooks import InjectedEvent as InjectedEvent
    from roomkit.models.hooks import SyncOutcome as SyncOutcome
    from roomkit.models.steering import Cancel as Cancel
    from roomkit.models.steering import InjectMessage as InjectMessage
    from roomkit.models.steering import SteeringDirective as SteeringDirective
    from roomkit.models.steering import UpdateSystemPrompt as UpdateSystemPrompt
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
    from roomkit.orchestration.handoff import HANDOFF_TOOL as HANDOFF_TOOL
    from roomkit.orchestration.handoff import HandoffHandler as HandoffHandler
    from roomkit.orchestration.handoff import HandoffRequest as HandoffRequest
    from roomkit.orchestration.handoff import HandoffResult as HandoffResult
    from roomkit.orchestration.handoff import build_handoff_tool as build_handoff_tool
    from roomkit.orchestration.handoff import setup_handoff as setup_handoff
    from roomkit.orchestration.inbound_router import (
        DefaultInboundRoomRouter as DefaultInboundRoomRouter,
    )
    from roomkit.orchestration.inbound_router import InboundRoomRouter as InboundRoomRouter
    from roomkit.orchestration.pipeline import ConversationPipeline as ConversationPipeline
    from roomkit.orchestration.pipeline import PipelineStage as PipelineStage
    from roomkit.orchestration.router import ConversationRouter as ConversationRouter
    from roomkit.orchestration.router import RoutingConditions as RoutingConditions
    from roomkit.orchestration.router import RoutingRule as RoutingRule
    from roomkit.plugins.catalogue import Catalogue as Catalogue
    from roomkit.plugins.catalogue import get_catalogue as get_catalogue
    from roomkit.providers.ai.base import AIProvider as AIProvider
    from roomkit.providers.ai.fallback import FallbackAIProvider as FallbackAIProvider
    from roomkit.providers.ai.mock import MockAIProvider as MockAIProvider
    from roomkit.providers.email.base import EmailProvider as EmailProvider
    from roomkit.providers.email.mock import MockEmailProvider as MockEmailProvider
    from roomkit.providers.http.base import HTTPProvider as HTTPProvider
    from roomkit.providers.http.mock import MockHTTPProvider as MockHTTPProvider
    from roomkit.providers.messenger.base import MessengerProvider as MessengerProvider
    from roomkit.providers.messenger.mock import MockMessengerProvider as MockMessengerProvider
    from roomkit.providers.rcs.base import RCSDeliveryResult as RCSDeliveryResult
    from roomkit.providers.rcs.base import RCSProvider as RCSProvider
    from roomkit.providers.rcs.mock import MockRCSProvider as MockRCSProvider
    from roomkit.providers.sms.base import SMSProvider as SMSProvider
    from roomkit.providers.sms.mock import MockSMSProvider as MockSMSProvider
    from roomkit.providers.teams.base import TeamsProvider as TeamsProvider
    from roomkit.providers.teams.mock import MockTeamsProvider as MockTeamsProvider
    from roomkit.providers.telegram.base import TelegramProvider as TelegramProvider
    from roomkit.providers.telegram.mock import MockTelegramProvider as MockTelegramProvider
    from roomkit.providers.whatsapp.base import WhatsAppProvider as WhatsAppProvider
    from roomkit.providers.whatsapp.mock import MockWhatsAppProvider as MockWhatsAppProvider
    from roomkit.providers.whatsapp.personal import (
        WhatsAppPersonalProvider as WhatsAppPersonalProvider,
    )
    from roomkit.realtime.base import EphemeralCallback as EphemeralCallback
    from roomkit.realtime.base import RealtimeBackend as RealtimeBackend
    from roomkit.realtime.memory import InMemoryRealtime as InMemoryRealtime
    from roomkit.skills.errors import SkillParseError as SkillParseError
    from roomkit.skills.errors import SkillValidationError as SkillValidationError
    from roomkit.skills.executor import ScriptExecutor as ScriptExecutor
    from roomkit.skills.models import ScriptResult as ScriptResult
    from roomkit.skills.registry import Skill as Skill
    from roomkit.skills.registry import SkillMetadata as SkillMetadata
    from roomkit.skills.registry import SkillRegistry as SkillRegistry
    from roomkit.sources.base import BaseSourceProvider as BaseSourceProvider
    from roomkit.sources.base import EmitCallback as EmitCallback
    from roomkit.sources.base import SourceHealth as SourceHealth
    from roomkit.sources.base import SourceProvider as SourceProvider
    from roomkit.sources.base import SourceStatus as SourceStatus
    from roomkit.store.base import ConversationStore as ConversationStore
    from roomkit.store.contracts import BindingStore as BindingStore
    from roomkit.store.contracts import EventStore as EventStore
    from roomkit.store.contracts import MemberStore as MemberStore
    from roomkit.store.contracts import ReadStateStore as ReadStateStore
    from roomkit.store.contracts import RoomStore as RoomStore
    from roomkit.store.contracts import TaskStore as TaskStore
    from roomkit.store.memory import InMemoryStore as InMemoryStore
    from roomkit.tasks.base import TaskRunner as TaskRunner
    from roomkit.tasks.delegate import DELEGATE_TOOL as DELEGATE_TOOL
    from roomkit.tasks.delegate import DelegateHandler as DelegateHandler
    from roomkit.tasks.delegate import build_delegate_tool as build_delegate_tool
    from roomkit.tasks.delegate import setup_delegation as setup_delegation
    from roomkit.tasks.memory import InMemoryTaskRunner as InMemoryTaskRunner
    from roomkit.tasks.models import DelegatedTask as DelegatedTask
    from roomkit.tasks.models import DelegatedTaskResult as DelegatedTaskResult
    from roomkit.telemetry.base import NoopTelemetryProvider as NoopTelemetryProvider
    from roomkit.telemetry.base import TelemetryConfig as TelemetryConfig
    from roomkit.telemetry.base import TelemetryProvider as TelemetryProvider
    from roomkit.telemetry.console import ConsoleTelemetryProvider as ConsoleTelemetryProvider
    from roomkit.telemetry.mock import MockTelemetryProvider as MockTelemetryProvider
    from roomkit.telemetry.spans import Attr as Attr
    from roomkit.telemetry.spans import Span as Span
    from roomkit.telemetry.spans import SpanKind as SpanKind
    from roomkit.telemetry.trace import ProtocolTrace as ProtocolTrace
    from roomkit.tools.compose import ToolHandler as ToolHandler
    from roomkit.tools.compose import compose_tool_handlers as compose_tool_handlers
    from roomkit.tools.policy import RoleOverride as RoleOverride
    from roomkit.tools.policy import ToolPolicy as ToolPolicy
    from roomkit.voice.audio_frame import AudioFrame as AudioFrame
    from roomkit.voice.auth import AuthCallback as AuthCallback
    from roomkit.voice.auth import auth_context as auth_context
    from roomkit.voice.backends.base import VoiceBackend as VoiceBackend
    from roomkit.voice.backends.mock import MockVoiceBackend as MockVoiceBackend
    from roomkit.voice.base import AudioChunk as AudioChunk
    from roomkit.voice.base import AudioReceivedCallback as AudioReceivedCallback
    from roomkit.voice.base import BargeInCallback as BargeInCallback
    from roomkit.voice.base import TranscriptionResult as TranscriptionResult
    from roomkit.voice.base import VoiceCapability as VoiceCapability
    from roomkit.voice.base import VoiceSession as VoiceSession
    from roomkit.voice.base import VoiceSessionState as VoiceSessionState
    from roomkit.voice.events import BargeInEvent as BargeInEvent
    from roomkit.voice.events import PartialTranscriptionEvent as PartialTranscriptionEvent
    from roomkit.voice.events import SessionStartedEvent as SessionStartedEvent
    from roomkit.voice.events import SpeakerChangeEvent as SpeakerChangeEvent
    from roomkit.voice.events import TTSCancelledEvent as TTSCancelledEvent
    from roomkit.voice.events import VADAudioLevelEvent as VADAudioLevelEvent
    from roomkit.voice.events import VADSilenceEvent as VADSilenceEvent
    from roomkit.voice.inbound import parse_voice_session as parse_voice_session
    from roomkit.voice.pipeline.config import AudioPipelineConfig as AudioPipelineConfig
    from roomkit.voice.pipeline.denoiser.base import DenoiserProvider as DenoiserProvider
    from roomkit.voice.pipeline.denoiser.mock import MockDenoiserProvider as MockDenoiserProvider
    from roomkit.voice.pipeline.diarization.base import DiarizationProvider as DiarizationProvider
    from roomkit.voice.pipeline.diarization.base import DiarizationResult as DiarizationResult
    from roomkit.voice.pipeline.diarization.mock import (
        MockDiarizationProvider as MockDiarizationProvider,
    )
    from roomkit.voice.pipeline.engine import AudioPipeline as AudioPipeline
    from roomkit.voice.pipeline.vad.base import VADConfig as VADConfig
    from roomkit.voice.pipeline.vad.base import VADEvent as VADEvent
    from roomkit.voice.pipeline.vad.base import VADEventType as VADEventType
    from roomkit.voice.pipeline.vad.base import VADProvider as VADProvider
    from roomkit.voice.pipeline.vad.mock import MockVADProvider as MockVADProvider
    from roomkit.voice.realtime.events import RealtimeErrorEvent as RealtimeErrorEvent
    from roomkit.voice.realtime.events import RealtimeSpeechEvent as RealtimeSpeechEvent
    from roomkit.voice.realtime.events import RealtimeToolCallEvent as RealtimeToolCallEvent
    from roomkit.voice.realtime.events import (
        RealtimeTranscriptionEvent as RealtimeTranscriptionEvent,
    )
    from roomkit.voice.realtime.mock import MockRealtimeProvider as MockRealtimeProvider
    from roomkit.voice.realtime.mock import MockRealtimeTransport as MockRealtimeTransport
    from roomkit.voice.realtime.provider import RealtimeVoiceProvider as RealtimeVoiceProvider
    from roomkit.voice.stt.base import STTProvider as STTProvider
    from roomkit.voice.stt.mock import MockSTTProvider as MockSTTProvider
    from roomkit.voice.tts.base import TTSProvider as TTSProvider
    from roomkit.voice.tts.mock import MockTTSProvider as MockTTSProvider
