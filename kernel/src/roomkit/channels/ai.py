"""The AI channel: an intelligence channel that answers room events with a model.

One turn: pick the context (memory over the room's tail), ask the provider, run the tools it
calls (bounded rounds, results fed back, ``TOOL_CALL_START`` / ``TOOL_CALL_END`` ephemeral
events), and hand the reply back to the engine as a response event. Provider and tool
failures are reported (ON_ERROR hooks, logs) and never escape into the room pipeline.

The channel talks to the engine only through :class:`~roomkit.channels.engine.RoomEngine`
(handed over by ``RoomKit.register_channel``); without an engine it still answers, which keeps
it usable on its own (failures are then only logged, realtime events dropped).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import Sequence

from roomkit.channels.ai_content import content_for_model, target_of
from roomkit.channels.ai_reply import reply_event, reply_output
from roomkit.channels.ai_resilience import ProviderCalls
from roomkit.channels.ai_settings import check_settings
from roomkit.channels.ai_skills import ChannelSkills
from roomkit.channels.ai_streaming import generate_streaming
from roomkit.channels.ai_tools import run_tool_round
from roomkit.channels.ai_transcript import Transcripts
from roomkit.channels.base import Channel
from roomkit.channels.engine import RoomEngine
from roomkit.channels.steering import ActiveLoop, ActiveLoops
from roomkit.channels.streaming import reply_fanout, thinking_event
from roomkit.errors import ConfigurationError
from roomkit.memory.base import MemoryProvider, is_transcript_event
from roomkit.memory.sliding_window import SlidingWindowMemory
from roomkit.models._construct import construct
from roomkit.models._ids import new_id
from roomkit.models.ai import (
    AIContext,
    AIMessage,
    AIResponse,
    AITextPart,
    AIToolCall,
    AIUsage,
)
from roomkit.models.context import RoomContext
from roomkit.models.enums import (
    ChannelCategory,
    ChannelDirection,
    ChannelMediaType,
    ChannelType,
    HookTrigger,
)
from roomkit.models.event import EphemeralEvent, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.keys import ROUTE_KEY, STREAM_EVENT_KIND, STREAMED_KEY
from roomkit.models.room import AITool, ChannelBinding, ChannelCapabilities, RetryPolicy
from roomkit.models.steering import SteeringDirective
from roomkit.models.task import Observation, Task
from roomkit.providers.ai.base import AIProvider
from roomkit.skills.executor import ScriptExecutor
from roomkit.skills.registry import SkillRegistry
from roomkit.tools.compose import ToolHandler
from roomkit.tools.context import ToolCallContext
from roomkit.tools.policy import ToolPolicy

__all__ = ["ROUTE_KEY", "STREAM_EVENT_KIND", "AIChannel"]

logger = logging.getLogger("roomkit.channels.ai")

_NAME_OK = re.compile(r"[^A-Za-z0-9_-]")
_MAX_NOTES = 20
_MAX_NOTE_ROOMS = 1000


def _sender_name(raw: str | None) -> str | None:
    return _model_name(raw) if raw else None


@functools.lru_cache(maxsize=4096)  # one regex substitution per sender, not per message
def _model_name(raw: str) -> str:
    """A sender id as a name the model APIs accept."""
    return _NAME_OK.sub("_", raw)[:64]


class AIChannel(Channel):
    """An intelligence channel backed by an :class:`~roomkit.providers.ai.base.AIProvider`.

    Room settings in ``room.ai_config`` override the channel's ``system_prompt``,
    ``temperature``, ``max_tokens`` and ``model``, and add tools. ``streaming=None`` streams
    when the provider can and a streaming-capable channel is attached to the room.

    The positional parameters follow RoomKit 0.6.7. ``max_context_events`` sizes the default
    memory; ``tool_loop_timeout_seconds`` ends a tool loop between rounds once passed and
    ``tool_loop_warn_after`` logs a warning at that many rounds; ``retry_policy`` and
    ``fallback_provider`` handle provider failures (see
    :mod:`roomkit.channels.ai_resilience`); ``skills`` and ``script_executor`` offer a
    :class:`~roomkit.skills.registry.SkillRegistry` to the model (see
    :mod:`roomkit.channels.ai_skills`); ``thinking_budget`` goes into every request.
    """

    channel_type = ChannelType.AI
    category = ChannelCategory.INTELLIGENCE
    direction = ChannelDirection.BIDIRECTIONAL

    def __init__(
        self,
        channel_id: str,
        provider: AIProvider | None = None,
        system_prompt: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        max_context_events: int = 50,
        tool_handler: ToolHandler | None = None,
        max_tool_rounds: int = 5,
        tool_loop_timeout_seconds: float = 300.0,
        tool_loop_warn_after: int = 50,
        retry_policy: RetryPolicy | None = None,
        fallback_provider: AIProvider | None = None,
        skills: SkillRegistry | None = None,
        script_executor: ScriptExecutor | None = None,
        memory: MemoryProvider | None = None,
        tool_policy: ToolPolicy | None = None,
        thinking_budget: int | None = None,
        *,
        model: str | None = None,
        tools: Sequence[AITool] | None = None,
        tool_timeout: float = 60.0,
        streaming: bool | None = None,
        respond_to_ai: bool = False,
    ) -> None:
        super().__init__(channel_id)
        for role, given in (("provider", provider), ("fallback_provider", fallback_provider)):
            if given is not None and not isinstance(given, AIProvider):
                raise ConfigurationError(
                    f"{role} of {channel_id!r} must be an AIProvider, got {type(given).__name__}"
                )
        check_settings(
            max_tool_rounds=max_tool_rounds,
            tool_timeout=tool_timeout,
            temperature=temperature,
            max_context_events=max_context_events,
            tool_loop_timeout_seconds=tool_loop_timeout_seconds,
            tool_loop_warn_after=tool_loop_warn_after,
            thinking_budget=thinking_budget,
        )
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ConfigurationError(
                f"retry_policy must be a roomkit.RetryPolicy, got {type(retry_policy).__name__}"
            )
        if skills is not None and not isinstance(skills, SkillRegistry):
            raise ConfigurationError(f"skills must be a SkillRegistry, got {type(skills).__name__}")
        if script_executor is not None and not isinstance(script_executor, ScriptExecutor):
            raise ConfigurationError(
                f"script_executor must be a ScriptExecutor, got {type(script_executor).__name__}"
            )
        self.provider = provider
        self.fallback_provider = fallback_provider
        self.retry_policy = retry_policy
        self.system_prompt = system_prompt
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.model = model
        self.thinking_budget = thinking_budget
        self.max_context_events = max_context_events
        self.memory: MemoryProvider = (
            memory if memory is not None else SlidingWindowMemory(max_context_events)
        )
        self.skills = skills
        self.script_executor = script_executor
        self._skills = ChannelSkills(skills, script_executor) if skills is not None else None
        self._tools: dict[str, AITool] = {t.name: t for t in tools or ()}
        self._named_handlers: dict[str, ToolHandler] = {}
        self.tool_handler = tool_handler
        self.tool_policy = tool_policy
        self.max_tool_rounds = max_tool_rounds
        self.tool_loop_timeout_seconds = tool_loop_timeout_seconds
        self.tool_loop_warn_after = tool_loop_warn_after
        self.tool_timeout = tool_timeout
        self.streaming = streaming
        self.respond_to_ai = respond_to_ai
        self.kit: RoomEngine | None = None
        self._transcripts = Transcripts()
        self._notes: dict[str, list[str]] = {}
        self._loops = ActiveLoops()

    # -- wiring ---------------------------------------------------------------------------
    def on_register(self, engine: RoomEngine) -> None:
        """Called by ``RoomKit.register_channel``: remember the engine (store, realtime
        events, error reports)."""
        self.kit = engine

    def attach_kit(self, engine: RoomEngine) -> None:
        """Give the channel an engine without registering it (as :meth:`on_register`)."""
        self.kit = engine

    def capabilities(self) -> ChannelCapabilities:
        """AI channels read text and, with a vision provider, images."""
        media = [ChannelMediaType.TEXT, ChannelMediaType.RICH]
        if self.provider is not None and self.provider.supports_vision:
            media.append(ChannelMediaType.MEDIA)
        return ChannelCapabilities(media_types=media, supports_streaming=self._can_stream())

    def register_tool(self, tool: AITool, handler: ToolHandler) -> None:
        """Offer ``tool`` to the model and run ``handler`` when it is called by name."""
        self._tools[tool.name] = tool
        self._named_handlers[tool.name] = handler

    def unregister_tool(self, name: str) -> bool:
        """Stop offering the tool ``name``; ``False`` if it was unknown."""
        self._named_handlers.pop(name, None)
        return self._tools.pop(name, None) is not None

    @property
    def tools(self) -> list[AITool]:
        """The channel's own tools (room tools are added per turn)."""
        return list(self._tools.values())

    def add_system_note(self, room_id: str, note: str) -> None:
        """Add ``note`` to the system prompt of this channel's next turn in ``room_id`` (once;
        e.g. the result of a delegated task). At most 20 notes wait per room (oldest dropped)
        and 1,000 rooms (the longest-waiting room's notes dropped)."""
        notes = self._notes.get(room_id)
        if notes is None:
            if len(self._notes) >= _MAX_NOTE_ROOMS:
                del self._notes[next(iter(self._notes))]
            notes = self._notes[room_id] = []
        notes.append(note)
        del notes[:-_MAX_NOTES]

    def steer(self, directive: SteeringDirective, *, loop_id: str | None = None) -> None:
        """Steer a running turn of this channel: :class:`~roomkit.InjectMessage` and
        :class:`~roomkit.UpdateSystemPrompt` apply before its next tool round,
        :class:`~roomkit.Cancel` stops it at once (it answers with the text so far).

        ``loop_id`` is the id of the event the turn answers (see :attr:`active_loops`);
        ``None`` targets the most recently started turn. Without a matching turn the
        directive is logged and dropped. Safe to call from any coroutine of the loop.
        """
        self._loops.steer(directive, loop_id, self.channel_id)

    @property
    def active_loops(self) -> list[str]:
        """Ids of the turns running now (the ids of the events they answer), oldest first."""
        return self._loops.ids()

    @property
    def extra_tools(self) -> list[AITool]:
        """The tools added with :meth:`register_tool` (handoff, MCP ...), each answered by
        its own handler."""
        return [self._tools[name] for name in self._named_handlers if name in self._tools]

    # -- the turn -------------------------------------------------------------------------
    def should_respond(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> bool:
        """Whether this channel answers ``event`` (override to add rules)."""
        if self.provider is None or not binding.can_write:
            return False
        source = event.source
        if source.channel_id == self.channel_id or not is_transcript_event(event):
            return False
        return source.channel_type is not ChannelType.AI or self.respond_to_ai

    async def on_event(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        """Answer ``event`` when :meth:`should_respond` says so."""
        if not self.should_respond(event, binding, context):
            return ChannelOutput.empty()
        return await self.respond(event, context)

    async def respond(self, event: RoomEvent, context: RoomContext) -> ChannelOutput:
        """Run one AI turn for ``event`` and return the reply (plus any events tools added)."""
        turn = ToolCallContext(room_id=context.room.id, channel_id=self.channel_id, event=event)
        message_id = new_id()
        targets = self._stream_targets(context)
        fanout = reply_fanout(self.kit, self, message_id, context) if targets else None
        turn.data["stream_fanout"] = fanout
        loop = self._loops.start(event.id)
        try:
            ai_context = await self.build_ai_context(event, context)
            response, rounds = await self._run(
                ai_context, turn, context, message_id, loop, bool(targets)
            )
        except asyncio.CancelledError:
            if not ActiveLoops.absorb_cancel(loop):  # cancelled by others than steer(Cancel)
                if fanout:
                    await fanout.fail(asyncio.CancelledError())
                raise
            response, rounds = AIResponse(content="\n\n".join(loop.texts)), loop.rounds
        except Exception as exc:
            if fanout:
                await fanout.fail(exc)
            await self._report(exc, event, context, f"AI channel {self.channel_id}")
            return ChannelOutput(
                responded=bool(turn.extra_events),
                response_events=turn.extra_events,
                metadata={"error": str(exc), "error_type": type(exc).__name__},
                error=f"{type(exc).__name__}: {exc}",  # recorded on the event by the engine
            )
        finally:
            self._loops.end(loop)
        await ActiveLoops.settle(loop)
        events: list[RoomEvent] = []
        streamed = await fanout.finish() if fanout else []
        if response.thinking and self.kit is not None:
            await self.kit.fire_hook(
                HookTrigger.ON_AI_THINKING,
                thinking_event(self, event, response.thinking),
                context=context,
            )
        if response.content.strip():
            calls: ProviderCalls | None = turn.data.get("provider_calls")
            answered_by = calls.answered_by if calls is not None else self.provider
            reply = self._reply_event(message_id, response, rounds, event, context, answered_by)
            if streamed:  # these channels already have the text: the broadcast skips them
                reply.metadata[STREAMED_KEY] = streamed
            events.append(reply)
        events.extend(turn.extra_events)
        if response.tasks or response.observations:
            return ChannelOutput(
                responded=bool(events),
                response_events=events,
                tasks=response.tasks,
                observations=response.observations,
            )
        if turn.extra_events:  # events from tools: validated as usual
            return ChannelOutput(responded=bool(events), response_events=events)
        return reply_output(events)

    def _reply_event(
        self,
        message_id: str,
        response: AIResponse,
        rounds: int,
        trigger: RoomEvent,
        context: RoomContext,
        answered_by: AIProvider | None = None,
    ) -> RoomEvent:
        return reply_event(self, message_id, response, rounds, trigger, context, answered_by)

    # -- context --------------------------------------------------------------------------
    @property
    def recent_events_wanted(self) -> int:
        """What the memory works from (:attr:`MemoryProvider.recent_events_wanted`): the
        engine reads that many recent events with the contexts of the rooms it is bound to."""
        wanted = getattr(self.memory, "recent_events_wanted", 0)  # duck-typed memories: 0
        return wanted if isinstance(wanted, int) else 0

    def build_system_prompt(self, context: RoomContext) -> str | None:
        """The system prompt for a turn in ``context.room`` (room config wins)."""
        config = context.room.ai_config
        if config is not None and config.system_prompt:
            return config.system_prompt
        return self.system_prompt

    def effective_tools(self, context: RoomContext) -> list[AITool]:
        """Channel tools plus room tools (room wins by name), filtered by the policy."""
        config = context.room.ai_config
        if (
            not self._tools
            and self._skills is None
            and (config is None or not config.tools)
            and self.tool_policy is None
        ):
            return []  # nothing to offer
        tools = dict(self._tools)
        if self._skills is not None:
            tools.update((tool.name, tool) for tool in self._skills.tools())
        if config is not None:
            for tool in config.tools:
                tools[tool.name] = tool
        selected = list(tools.values())
        if self.tool_policy is not None:
            selected = self.tool_policy.filter_tools(selected)
        return selected

    async def build_ai_context(self, event: RoomEvent, context: RoomContext) -> AIContext:
        """The provider request for answering ``event``."""
        room = context.room
        memory = await self.memory.retrieve(
            room.id,
            event,
            context,
            channel_id=self.channel_id,
            store=self.kit.store if self.kit is not None else None,
        )
        vision = bool(self.provider and self.provider.supports_vision)
        messages = self._transcripts.messages(room.id, memory.events, vision, self._convert)
        if memory.messages:
            messages = [*memory.messages, *messages]
        system_prompt = self.build_system_prompt(context)
        skills = self._skills.prompt_section() if self._skills is not None else None
        if skills:
            system_prompt = f"{system_prompt}\n\n{skills}" if system_prompt else skills
        pending = self._notes.pop(room.id, None)
        if memory.system_notes or pending:
            notes = "\n\n".join([*memory.system_notes, *(pending or ())])
            system_prompt = f"{system_prompt}\n\n{notes}" if system_prompt else notes
        config = room.ai_config
        temperature, max_tokens, model = self.temperature, self.max_tokens, self.model
        if config is not None:
            temperature = config.temperature if config.temperature is not None else temperature
            max_tokens = config.max_tokens if config.max_tokens is not None else max_tokens
            model = config.model or model
        tools = self.effective_tools(context)
        if self.provider is not None and not self.provider.supports_tools:
            tools = []
        # Every value below is already typed and checked: skip re-validation (hot path).
        return construct(
            AIContext,
            {
                "messages": messages,
                "system_prompt": system_prompt,
                "temperature": temperature,
                "max_tokens": max_tokens,
                "model": model,
                "tools": tools,
                "thinking_budget": self.thinking_budget,
                "room_id": room.id,
                "room": context,
                **target_of(event, context),
                "metadata": {"channel_id": self.channel_id, "event_id": event.id},
            },
        )

    def event_to_message(self, event: RoomEvent, *, vision: bool = False) -> AIMessage:
        """The transcript message for ``event``: own replies are ``assistant``, others ``user``."""
        content = content_for_model(event.content, vision)
        if event.source.channel_id == self.channel_id:
            if not isinstance(content, str):
                content = "".join(p.text for p in content if isinstance(p, AITextPart))
            return construct(AIMessage, {"role": "assistant", "content": content})
        name = _sender_name(event.source.participant_id or event.source.channel_id)
        return construct(AIMessage, {"role": "user", "content": content, "name": name})

    def _convert(self, event: RoomEvent, vision: bool) -> AIMessage:
        return self.event_to_message(event, vision=vision)

    # -- generation and tools ---------------------------------------------------------------
    def _can_stream(self) -> bool:
        return bool(
            self.provider and self.provider.supports_streaming and self.streaming is not False
        )

    def _stream_targets(self, context: RoomContext) -> list[ChannelBinding]:
        if not self._can_stream():
            return []
        return [
            b
            for b in context.bindings
            if b.channel_id != self.channel_id and b.capabilities.supports_streaming and not b.muted
        ]

    async def _run(
        self,
        ai_context: AIContext,
        turn: ToolCallContext,
        context: RoomContext,
        message_id: str,
        loop: ActiveLoop,
        targets: bool | None = None,
    ) -> tuple[AIResponse, int]:
        """The turn's answer and its tool rounds; ``targets``: whether the room has channels
        to stream to (``None``: look)."""
        assert self.provider is not None
        calls = turn.data["provider_calls"] = ProviderCalls(
            self.provider,
            fallback=self.fallback_provider,
            retry_policy=self.retry_policy,
            channel_id=self.channel_id,
        )
        started = time.monotonic()
        if targets is None:
            targets = bool(self._stream_targets(context))
        stream = targets or (self.streaming is True and self._can_stream())
        texts = loop.texts  # kept on the loop: a cancelled turn still answers with them
        # Tasks, observations and token counts of every round, as plain values: the common
        # turn (one round, no tools) returns the provider's response as it is.
        tasks: list[Task] = []
        observations: list[Observation] = []
        input_tokens = output_tokens = 0
        response: AIResponse
        rounds = 0
        messages: list[AIMessage] = []  # the transcript of the tool rounds, from round one
        while True:
            allow_tools = rounds < self.max_tool_rounds and bool(ai_context.tools)
            if rounds == 0 and (allow_tools or not ai_context.tools):
                request = ai_context  # the common case: one call, nothing to change
            else:
                request = ai_context.model_copy(
                    update={
                        "messages": messages if rounds else list(ai_context.messages),
                        "tools": ai_context.tools if allow_tools else [],
                    }
                )
            if stream:
                response = await generate_streaming(self, request, turn, message_id, bool(texts))
            else:
                response = await calls.generate(request)
            if response.content.strip():
                texts.append(response.content)
            tasks += response.tasks
            observations += response.observations
            if response.usage is not None:
                input_tokens += response.usage.input_tokens
                output_tokens += response.usage.output_tokens
            if not response.tool_calls or not allow_tools:
                break
            if self._loop_timed_out(started, rounds, context):
                break
            if not rounds:
                messages = list(ai_context.messages)
            rounds = loop.rounds = rounds + 1
            if rounds == self.tool_loop_warn_after:
                logger.warning(
                    "AI channel %s: the tool loop in room %s reached %d rounds and goes on",
                    self.channel_id,
                    context.room.id,
                    rounds,
                )
            messages.append(
                AIMessage(
                    role="assistant", content=response.content, tool_calls=response.tool_calls
                )
            )
            results = await self._execute_tools(response.tool_calls, turn, rounds)
            messages.extend(
                AIMessage(role="tool", content=result, tool_call_id=call.id, name=call.name)
                for call, result in zip(response.tool_calls, results, strict=True)
            )
            if loop.cancel_reason is not None:  # steer(Cancel) during the tools
                break
            if loop.queue:  # steering directives wait for this point, between tool rounds
                ai_context = loop.drain(ai_context, messages)
        if rounds == 0 and not response.tool_calls:
            return response, 0
        final = response.model_copy(
            update={
                "content": "\n\n".join(texts),
                "tool_calls": [],
                "usage": AIUsage(input_tokens=input_tokens, output_tokens=output_tokens),
                "tasks": tasks,
                "observations": observations,
            }
        )
        return final, rounds

    def _loop_timed_out(self, started: float, rounds: int, context: RoomContext) -> bool:
        """Whether the tool loop ran past ``tool_loop_timeout_seconds`` (checked between
        rounds: the last answer is kept, no further tool is run)."""
        elapsed = time.monotonic() - started
        if elapsed < self.tool_loop_timeout_seconds:
            return False
        logger.warning(
            "AI channel %s: the tool loop in room %s stopped after %d rounds (%.1fs, limit %ss)",
            self.channel_id,
            context.room.id,
            rounds,
            elapsed,
            self.tool_loop_timeout_seconds,
        )
        return True

    async def _execute_tools(
        self, calls: list[AIToolCall], turn: ToolCallContext, round_number: int
    ) -> list[str]:
        return await run_tool_round(self, calls, turn, round_number)

    async def _report(
        self, exc: BaseException, event: RoomEvent, context: RoomContext, stage: str
    ) -> None:
        """Report a failure of this channel through the engine (``ON_ERROR`` hooks)."""
        if self.kit is None:
            logger.warning("%s failed in room %s: %r", stage, context.room.id, exc)
            return
        await self.kit.report_error(stage, exc, event, context)

    async def _publish(self, event: EphemeralEvent) -> None:
        """Publish a realtime event; a failure is logged, never raised into the turn."""
        if self.kit is None:
            return
        try:
            await self.kit.publish_ephemeral(event)
        except Exception:
            logger.exception("publishing %s for room %s failed", event.type, event.room_id)

    async def close(self) -> None:
        """Close the provider and the memory."""
        for provider in (self.provider, self.fallback_provider):
            if provider is not None:
                await provider.close()
        await self.memory.close()

    def info(self) -> dict[str, object]:
        """Diagnostics: provider, model and tools (never credentials)."""
        data = super().info()
        data["provider"] = self.provider.name if self.provider else None
        data["tools"] = sorted(self._tools)
        return data
