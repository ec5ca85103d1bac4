"""Handoffs: one agent passes the conversation to another.

:class:`HandoffHandler` validates a request against its rules, updates the room's
:class:`~roomkit.models.conversation.ConversationState`, fires ``ON_HANDOFF`` (and
``ON_PHASE_TRANSITION`` when the phase changes) or ``ON_HANDOFF_REJECTED``, and optionally
has the new agent greet the user. Agents call it through the ``handoff_conversation`` tool.
It talks to the engine only through :class:`~roomkit.channels.engine.RoomEngine`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field

from roomkit.channels.agent import Agent
from roomkit.channels.ai import AIChannel
from roomkit.channels.engine import RoomEngine
from roomkit.deferred import DeferredModel
from roomkit.errors import ChannelNotRegisteredError, ConfigurationError, RoomNotFoundError
from roomkit.models.content import SystemContent
from roomkit.models.context import RoomContext
from roomkit.models.conversation import (
    ConversationState,
    get_conversation_state,
    get_room_language,
)
from roomkit.models.enums import ChannelDirection, ChannelType, EventStatus, EventType, HookTrigger
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.keys import INTERNAL_KEY, LANGUAGE_KEY, STATE_KEY
from roomkit.models.room import AITool, Room
from roomkit.tools.context import get_tool_context

if TYPE_CHECKING:
    from roomkit.orchestration.router import ConversationRouter

__all__ = [
    "HANDOFF_TOOL",
    "HANDOFF_TOOL_NAME",
    "HandoffCompleteCallback",
    "HandoffHandler",
    "HandoffRequest",
    "HandoffResult",
    "HandoffRule",
    "build_handoff_tool",
    "handoff_tool",
    "setup_handoff",
]

HANDOFF_TOOL_NAME = "handoff_conversation"


def handoff_tool(targets: Mapping[str, str | None] | None = None) -> AITool:
    """The ``handoff_conversation`` tool definition, listing ``targets`` (id -> description)."""
    target_schema: dict[str, Any] = {
        "type": "string",
        "description": "Id of the agent that should take over the conversation.",
    }
    description = (
        "Hand the conversation over to another agent when the request is outside your role "
        "or the next step belongs to someone else."
    )
    if targets:
        target_schema["enum"] = sorted(targets)
        listing = "; ".join(f"{k}: {v}" if v else k for k, v in sorted(targets.items()))
        description += f" Available agents: {listing}."
    return AITool(
        name=HANDOFF_TOOL_NAME,
        description=description,
        parameters={
            "type": "object",
            "properties": {
                "target": target_schema,
                "reason": {"type": "string", "description": "Why the handoff is needed."},
                "summary": {
                    "type": "string",
                    "description": "What the next agent needs to know about the conversation.",
                },
                "next_phase": {
                    "type": "string",
                    "description": "Optional phase the conversation moves to.",
                },
            },
            "required": ["target", "reason"],
        },
    )


HANDOFF_TOOL: AITool = handoff_tool()
"""The ``handoff_conversation`` tool without a list of targets (any agent id or alias)."""


def build_handoff_tool(targets: Iterable[tuple[str, str | None]]) -> AITool:
    """The handoff tool limited to ``targets``: ``(agent id, description or None)`` pairs."""
    listing: dict[str, str | None] = {}
    for item in targets:
        if not isinstance(item, tuple) or len(item) != 2 or not isinstance(item[0], str):
            raise ConfigurationError(
                f"build_handoff_tool() takes (agent_id, description) pairs, got {item!r}"
            )
        listing[item[0]] = item[1]
    if not listing:
        raise ConfigurationError("build_handoff_tool() needs at least one target")
    return handoff_tool(listing)


class HandoffRequest(DeferredModel):
    """A handoff request as the calling agent made it (the tool's arguments).

    ``target_agent_id`` is already resolved from an alias or phase name; ``room_id`` and
    ``calling_agent_id`` say where it was made and by whom.
    """

    target_agent_id: str
    reason: str = ""
    summary: str = ""
    context: dict[str, Any] = Field(default_factory=dict)
    channel_escalation: str | None = None
    urgent: bool = False
    next_phase: str | None = None
    room_id: str = ""
    calling_agent_id: str = ""


class HandoffResult(DeferredModel):
    """The outcome of a handoff: ``accepted`` and the new agent and phase, or ``reason``."""

    accepted: bool = True
    new_agent_id: str | None = None
    previous_agent_id: str | None = None
    new_phase: str | None = None
    reason: str = ""
    message: str = ""
    state: ConversationState | None = None


HandoffRule = Callable[[HandoffRequest, ConversationState], "str | Awaitable[str | None] | None"]
"""``rule(request, state) -> rejection reason | None`` (sync or async)."""

HandoffCompleteCallback = Callable[[str, HandoffResult], Awaitable[None]]
"""``async callback(room_id, result)``, awaited after every accepted handoff."""


class HandoffHandler:
    """Carries out handoffs between ``agents`` of the rooms of ``kit``.

    Targets are agent ids, ``agent_aliases`` (``{"human": "agent-human"}``) or phase names of
    ``phase_map`` (agent id -> phase it owns). Built-in rules reject: a missing target, an
    unknown target (not among ``agents`` / ``known_agents``), a handoff to oneself, a handoff
    from an agent that is not the room's active one, a phase move outside
    ``allowed_transitions`` (phase -> phases) and a target outside
    ``allowed_targets[calling_agent]`` when those maps are given (pipelines derive them from
    their ``next`` links). Custom ``rules`` run after them. ``on_handoff_complete(room_id,
    result)`` is awaited after every accepted handoff; ``event_channel_id`` is the channel id
    the handoff's system events are attributed to.
    """

    def __init__(
        self,
        kit: RoomEngine,
        router: ConversationRouter | None = None,
        agent_aliases: Mapping[str, str] | None = None,
        phase_map: Mapping[str, str] | None = None,
        allowed_transitions: Mapping[str, Iterable[str]] | None = None,
        known_agents: Iterable[str] | None = None,
        on_handoff_complete: HandoffCompleteCallback | None = None,
        event_channel_id: str | None = None,
        *,
        agents: Iterable[Agent] = (),
        allowed_targets: Mapping[str, Iterable[str]] | None = None,
        rules: Iterable[HandoffRule] = (),
        greet_on_handoff: bool = False,
        voice_channel_id: str | None = None,
        require_active: bool = True,
        greeting_prompt: str | None = None,
    ) -> None:
        self.kit = kit
        self.router = router
        self.agents: dict[str, Agent] = {a.channel_id: a for a in agents}
        self.agent_aliases: dict[str, str] = dict(agent_aliases or {})
        self.phase_map: dict[str, str] = dict(phase_map or {})
        self.allowed_transitions: dict[str, set[str]] | None = (
            {k: set(v) for k, v in allowed_transitions.items()}
            if allowed_transitions is not None
            else None
        )
        self.known_agents: set[str] = set(known_agents or ())
        self.allowed_targets: dict[str, set[str]] | None = (
            {k: set(v) for k, v in allowed_targets.items()} if allowed_targets is not None else None
        )
        self.rules: list[HandoffRule] = list(rules)
        self._on_handoff_complete = on_handoff_complete
        self.event_channel_id = event_channel_id or "roomkit.orchestration"
        self.greet_on_handoff = greet_on_handoff
        self.voice_channel_id = voice_channel_id
        self.require_active = require_active
        self.greeting_prompt = greeting_prompt

    @property
    def on_handoff_complete(self) -> HandoffCompleteCallback | None:
        """``async callback(room_id, result)`` awaited after every accepted handoff."""
        return self._on_handoff_complete

    @on_handoff_complete.setter
    def on_handoff_complete(self, callback: HandoffCompleteCallback | None) -> None:
        if callback is not None and not callable(callback):
            raise ConfigurationError("on_handoff_complete must be an async callable or None")
        self._on_handoff_complete = callback

    @property
    def greeting_map(self) -> dict[str, str]:
        """Agent id -> greeting, for agents that declare one."""
        return {aid: a.greeting for aid, a in self.agents.items() if a.greeting}

    # -- configuration --------------------------------------------------------------------
    def add_rule(self, rule: HandoffRule) -> None:
        """Add a custom rule (run after the built-in ones)."""
        self.rules.append(rule)

    def add_agent(self, agent: Agent, *, phase: str | None = None) -> None:
        """Make ``agent`` a possible handoff target."""
        self.agents[agent.channel_id] = agent
        if phase is not None:
            self.phase_map[agent.channel_id] = phase

    @property
    def voice_map(self) -> dict[str, str]:
        """Agent id -> TTS voice id, for agents that declare a voice."""
        return {aid: a.voice for aid, a in self.agents.items() if a.voice}

    def tool_for(self, agent_id: str) -> AITool:
        """The handoff tool as ``agent_id`` sees it (only the targets it may choose)."""
        targets: dict[str, str | None] = {
            aid: (a.role or a.description or "") for aid, a in self.agents.items()
        }
        targets.update({k: None for k in self.known_agents if k not in targets})
        targets.pop(agent_id, None)
        if self.allowed_targets is not None:
            allowed = self.allowed_targets.get(agent_id, set())
            targets = {k: v for k, v in targets.items() if k in allowed}
        return handoff_tool(targets)

    def install_tools(self, agents: Iterable[Agent] | None = None) -> None:
        """Register ``handoff_conversation`` on each agent (all known agents by default)."""
        for agent in list(agents) if agents is not None else list(self.agents.values()):
            if agent.channel_id not in self.agents:
                self.agents[agent.channel_id] = agent
            agent.register_tool(self.tool_for(agent.channel_id), self.tool_handler)

    # -- the tool -------------------------------------------------------------------------
    async def tool_handler(self, name: str, arguments: dict[str, Any]) -> str:
        """Tool handler for ``handoff_conversation`` calls made during an AI turn."""
        ctx = get_tool_context()
        if ctx is None:
            return json.dumps({"accepted": False, "reason": "handoff called outside an AI turn"})
        try:
            result = await self.handle(
                room_id=ctx.room_id, calling_agent_id=ctx.channel_id, arguments=arguments
            )
        except RoomNotFoundError as exc:
            return json.dumps({"accepted": False, "reason": str(exc)})
        payload: dict[str, Any] = {"accepted": result.accepted, "message": result.message}
        if result.accepted:
            payload.update(new_agent_id=result.new_agent_id, new_phase=result.new_phase)
        else:
            payload["reason"] = result.reason
        return json.dumps(payload)

    # -- handling -------------------------------------------------------------------------
    async def handle(
        self, room_id: str, calling_agent_id: str, arguments: Mapping[str, Any]
    ) -> HandoffResult:
        """Validate and carry out a handoff requested by ``calling_agent_id``.

        ``arguments`` are the tool arguments: ``target`` (agent id or phase name), ``reason``,
        optional ``summary`` and ``next_phase``. Raises
        :class:`~roomkit.errors.RoomNotFoundError` for an unknown room; every rule violation
        is a rejected :class:`HandoffResult`.
        """
        room = await self._load_room(room_id)
        state = get_conversation_state(room)
        raw_target = arguments.get("target") if isinstance(arguments, Mapping) else None
        request = HandoffRequest(
            room_id=room_id,
            calling_agent_id=calling_agent_id,
            target_agent_id=self._resolve_target(raw_target) if isinstance(raw_target, str) else "",
            reason=_opt_str(arguments, "reason") or "",
            summary=_opt_str(arguments, "summary") or "",
            next_phase=_opt_str(arguments, "next_phase"),
            channel_escalation=_opt_str(arguments, "channel_escalation"),
        )
        rejection = await self._check(request, state)
        if rejection is not None:
            return await self._reject(room, state, request, rejection)
        return await self._accept(room, state, request)

    def _resolve_target(self, target: str) -> str:
        if target in self.agents or target in self.known_agents:
            return target
        if target in self.agent_aliases:
            return self.agent_aliases[target]
        for agent_id, phase in self.phase_map.items():
            if phase == target:
                return agent_id
        return target

    async def _check(self, request: HandoffRequest, state: ConversationState) -> str | None:
        target, caller = request.target_agent_id, request.calling_agent_id
        if not target:
            return "a handoff needs a 'target' agent id"
        if target not in self.agents and target not in self.known_agents:
            known = ", ".join(sorted({*self.agents, *self.known_agents})) or "none"
            return f"unknown target agent {target!r} (known agents: {known})"
        if target == caller:
            return f"agent {caller!r} cannot hand off to itself"
        active = state.active_agent_id or (self.router.default_agent_id if self.router else None)
        if self.require_active and active is not None and caller != active:
            return f"only the active agent ({active!r}) can hand off, not {caller!r}"
        if self.allowed_transitions is not None:
            to_phase = request.next_phase or self.phase_map.get(target) or state.phase
            allowed_phases = self.allowed_transitions.get(state.phase)
            moving = to_phase != state.phase and allowed_phases is not None
            if moving and to_phase not in (allowed_phases or ()):
                return f"transition from {state.phase!r} to {to_phase!r} is not allowed"
        if self.allowed_targets is not None:
            allowed = self.allowed_targets.get(caller, set())
            if target not in allowed:
                choices = ", ".join(sorted(allowed)) or "none (final stage)"
                return f"the pipeline does not allow {caller!r} -> {target!r} (allowed: {choices})"
        for rule in self.rules:
            verdict = rule(request, state)
            if inspect.isawaitable(verdict):
                verdict = await verdict
            if verdict:
                return str(verdict)
        return None

    async def _reject(
        self, room: Room, state: ConversationState, request: HandoffRequest, reason: str
    ) -> HandoffResult:
        event = self._system_event(
            room.id,
            "handoff_rejected",
            f"Handoff {request.calling_agent_id} -> {request.target_agent_id or '?'} "
            f"rejected: {reason}",
            {**request.model_dump(), "target": request.target_agent_id, "rejection": reason},
        )
        await self.kit.fire_hook(
            HookTrigger.ON_HANDOFF_REJECTED, event, context=await self._context(room)
        )
        return HandoffResult(
            accepted=False,
            previous_agent_id=state.active_agent_id,
            new_phase=state.phase,
            reason=reason,
            message=f"Handoff rejected: {reason}",
            state=state,
        )

    async def _accept(
        self, room: Room, state: ConversationState, request: HandoffRequest
    ) -> HandoffResult:
        target = request.target_agent_id
        new_phase = request.next_phase or self.phase_map.get(target) or state.phase
        if state.active_agent_id is None and self.router is not None:
            state = state.model_copy(update={"active_agent_id": self.router.default_agent_id})
        new_state = state.transition(
            to_phase=new_phase,
            to_agent=target,
            reason=request.reason,
            summary=request.summary or None,
            metadata={"handoff": True},
        )
        # Update the stored room in place: the in-memory store shares this object with the
        # engine, so the turn in progress sees the new state too.
        room.metadata[STATE_KEY] = new_state.model_dump(mode="json")
        await self.kit.store.update_room(room)
        context = await self._context(room)
        data = {
            "from_agent_id": request.calling_agent_id,
            "to_agent_id": target,
            "from_phase": state.phase,
            "to_phase": new_phase,
            "reason": request.reason,
            "summary": request.summary,
            "handoff_count": new_state.handoff_count,
        }
        if new_phase != state.phase:
            await self.kit.fire_hook(
                HookTrigger.ON_PHASE_TRANSITION,
                self._system_event(
                    room.id, "phase_transition", f"Phase {state.phase} -> {new_phase}", data
                ),
                context=context,
            )
        await self.kit.fire_hook(
            HookTrigger.ON_HANDOFF,
            self._system_event(
                room.id, "handoff", f"Handoff from {request.calling_agent_id} to {target}", data
            ),
            context=context,
        )
        await self._notify_voice(room.id, target, context)
        if self.greet_on_handoff:
            await self._greet(target, context)
        result = HandoffResult(
            accepted=True,
            new_agent_id=target,
            previous_agent_id=request.calling_agent_id,
            new_phase=new_phase,
            message=f"Conversation handed off to {target} (phase {new_phase}).",
            state=new_state,
        )
        if self._on_handoff_complete is not None:
            try:
                await self._on_handoff_complete(room.id, result)
            except Exception as exc:  # the handoff is done: report, never undo it
                await self.kit.report_error(
                    "on_handoff_complete",
                    exc,
                    self._system_event(room.id, "handoff", "on_handoff_complete failed", {}),
                    context,
                )
        return result

    # -- greeting, voice and language -------------------------------------------------------
    def get_room_language(self, room: Room, agent_id: str | None) -> str | None:
        """The language ``agent_id`` speaks in ``room``: the room's language when set, else the
        agent's own ``language`` (``None`` when neither is known)."""
        language = get_room_language(room)
        if language is not None:
            return language
        agent = self.agents.get(agent_id) if agent_id is not None else None
        return agent.language if agent is not None else None

    async def send_greeting(self, room_id: str, *, channel_id: str | None = None) -> None:
        """Post the greeting of the room's active agent (or of ``channel_id``) into the room.

        The agent's ``greeting`` text is sent as it is (see ``RoomKit.send_greeting``). Raises
        :class:`~roomkit.errors.RoomNotFoundError` for an unknown room and
        :class:`~roomkit.errors.ConfigurationError` when no known agent can greet.
        """
        room = await self._load_room(room_id)
        agent_id = channel_id
        if agent_id is None:
            agent_id = get_conversation_state(room).active_agent_id or (
                self.router.default_agent_id if self.router is not None else None
            )
        if agent_id is None or agent_id not in self.agents:
            known = ", ".join(sorted(self.agents)) or "none"
            raise ConfigurationError(
                f"send_greeting(): no known agent {agent_id!r} to greet room {room_id!r} "
                f"(known agents: {known})"
            )
        await self.kit.send_greeting(room_id, agent_id=agent_id)

    async def _greet(self, target: str, context: RoomContext) -> None:
        agent = self.agents.get(target)
        if agent is None:
            return  # a known agent that is not an Agent here (a human queue ...)
        turn = get_tool_context()
        trigger = turn.event if turn is not None and turn.room_id == context.room.id else None
        greeting = await agent.generate_greeting(
            context, trigger=trigger, instruction=self.greeting_prompt
        )
        if greeting is None:
            return
        if turn is not None and turn.room_id == context.room.id:
            turn.extra_events.append(greeting)
            return
        await self.kit.send_event(
            context.room.id,
            greeting.content,
            channel_id=target,
            participant_id=target,
            metadata=dict(greeting.metadata),
        )

    async def _notify_voice(self, room_id: str, target: str, context: RoomContext) -> None:
        """Tell the voice channel about the new agent (prompt, voice, greeting)."""
        if self.voice_channel_id is None:
            return
        try:
            channel = self.kit.get_channel(self.voice_channel_id)
        except ChannelNotRegisteredError:
            return  # registered later, or never: nothing to reconfigure
        agent = self.agents.get(target)
        if agent is None:
            return
        language = context.room.metadata.get(LANGUAGE_KEY) or agent.language
        try:
            await channel.apply_agent_handoff(
                room_id,
                agent,
                system_prompt=agent.compose_prompt(agent.build_base_prompt(context), language),
                voice=agent.voice,
                greet=self.greet_on_handoff,
                language=language,
            )
        except Exception as exc:
            await self.kit.report_error(
                f"voice channel {self.voice_channel_id}",
                exc,
                self._system_event(room_id, "handoff", "voice reconfiguration failed", {}),
                context,
            )

    async def set_language(
        self, room_id: str, language: str, channel_id: str | None = None
    ) -> None:
        """Set the room's conversation language (injected into agent prompts).

        With ``channel_id``, that channel's
        :meth:`~roomkit.channels.base.Channel.set_language` is called as well (voice and
        realtime channels switch recognition and voices; others ignore it).
        """
        if not isinstance(language, str) or not language.strip():
            raise ConfigurationError("set_language() needs a non-empty language name or tag")
        room = await self._load_room(room_id)
        room.metadata[LANGUAGE_KEY] = language.strip()
        await self.kit.store.update_room(room)
        if channel_id is not None:
            try:
                channel = self.kit.get_channel(channel_id)
            except ChannelNotRegisteredError:
                raise ConfigurationError(
                    f"set_language(): no channel {channel_id!r} is registered"
                ) from None
            await channel.set_language(room_id, language.strip())

    # -- helpers --------------------------------------------------------------------------
    async def _load_room(self, room_id: str) -> Room:
        room = await self.kit.store.get_room(room_id)
        if room is None:
            raise RoomNotFoundError(f"room {room_id!r} does not exist")
        return room

    async def _context(self, room: Room) -> RoomContext:
        """A context of ``room`` carrying this very room object (the state just written)."""
        context = await self.kit.build_context(room.id)
        context.room = room
        return context

    def _system_event(self, room_id: str, code: str, body: str, data: dict[str, Any]) -> RoomEvent:
        return RoomEvent(
            room_id=room_id,
            type=EventType.SYSTEM,
            source=EventSource(
                channel_id=self.event_channel_id,
                channel_type=ChannelType.SYSTEM,
                direction=ChannelDirection.OUTBOUND,
            ),
            content=SystemContent(body=body, code=code, data=data),
            status=EventStatus.DELIVERED,
            visibility="none",
            metadata={INTERNAL_KEY: True},
        )


def _opt_str(arguments: Any, key: str) -> str | None:
    if not isinstance(arguments, Mapping):
        return None
    value = arguments.get(key)
    return str(value) if value not in (None, "") else None


def setup_handoff(
    channel: AIChannel, handler: HandoffHandler, *, tool: AITool | None = None
) -> None:
    """Give ``channel`` the handoff tool (``tool``, else the targets ``handler`` allows it),
    answered by ``handler``; an :class:`~roomkit.channels.agent.Agent` also becomes a
    possible target of the others."""
    if not isinstance(channel, AIChannel):
        raise ConfigurationError(
            f"setup_handoff() needs an AIChannel, got {type(channel).__name__}"
        )
    if isinstance(channel, Agent):
        handler.agents.setdefault(channel.channel_id, channel)
    channel.register_tool(tool or handler.tool_for(channel.channel_id), handler.tool_handler)
