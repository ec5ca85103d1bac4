"""Agents: AI channels with an identity (role, scope, voice, greeting, language).

The identity is written into the system prompt of every turn. An agent without a provider is
*config-only*: it never generates text itself and exists to describe a persona to a
speech-to-speech session (prompt, voice, tools) that does the reasoning.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from roomkit.channels.ai import AIChannel
from roomkit.memory.base import MemoryProvider, is_transcript_event
from roomkit.models._ids import new_id
from roomkit.models.ai import AIContext, AIMessage
from roomkit.models.content import SystemContent
from roomkit.models.context import RoomContext
from roomkit.models.conversation import get_conversation_state, get_room_language
from roomkit.models.enums import ChannelType, EventType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.keys import ALWAYS_KEY, ROUTE_KEY
from roomkit.models.room import AITool, ChannelBinding, Room
from roomkit.providers.ai.base import AIProvider
from roomkit.tools.compose import ToolHandler
from roomkit.tools.policy import ToolPolicy

__all__ = ["Agent", "AgentRouter"]


class AgentRouter(Protocol):
    """What an agent asks of the router that manages it (a
    :class:`~roomkit.orchestration.router.ConversationRouter`)."""

    def active_agent_for(self, room: Room) -> str | None:
        """The id of the agent that answers in ``room`` right now."""
        ...


class Agent(AIChannel):
    """An :class:`AIChannel` with identity metadata injected into its system prompt.

    When installed by a :class:`~roomkit.orchestration.router.ConversationRouter` (usually
    through ``ConversationPipeline.install``), an agent answers only while it is the room's
    active agent.
    """

    def __init__(
        self,
        channel_id: str,
        provider: AIProvider | None = None,
        *,
        role: str | None = None,
        description: str | None = None,
        scope: str | None = None,
        voice: str | None = None,
        greeting: str | None = None,
        language: str | None = None,
        auto_greet: bool = True,
        system_prompt: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        model: str | None = None,
        memory: MemoryProvider | None = None,
        tools: Sequence[AITool] | None = None,
        tool_handler: ToolHandler | None = None,
        tool_policy: ToolPolicy | None = None,
        max_tool_rounds: int = 5,
        tool_timeout: float = 60.0,
        streaming: bool | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            channel_id,
            provider,
            system_prompt=system_prompt,
            temperature=temperature,
            max_tokens=max_tokens,
            model=model,
            memory=memory,
            tools=tools,
            tool_handler=tool_handler,
            tool_policy=tool_policy,
            max_tool_rounds=max_tool_rounds,
            tool_timeout=tool_timeout,
            streaming=streaming,
            **kwargs,
        )
        self.role = role
        self.description = description
        self.scope = scope
        self.voice = voice
        self.greeting = greeting
        self.language = language
        #: Whether ``RoomKit.send_greeting(room_id)`` (no agent named) may pick this agent.
        self.auto_greet = auto_greet
        self.metadata: dict[str, Any] = dict(metadata or {})
        #: Set by ``ConversationRouter.install``: the router whose state decides who answers.
        self.router: AgentRouter | None = None

    @property
    def is_config_only(self) -> bool:
        """Whether the agent has no provider (a persona for speech-to-speech sessions)."""
        return self.provider is None

    def identity_block(self, language: str | None = None) -> str:
        """The identity section appended to the system prompt."""
        lines = [f"You are {self.channel_id}."]
        if self.role:
            lines.append(f"Role: {self.role}")
        if self.description:
            lines.append(f"Description: {self.description}")
        if self.scope:
            lines.append(f"Scope: {self.scope}. Politely decline requests outside this scope.")
        lang = language or self.language
        if lang:
            lines.append(f"Language: always respond in {lang}.")
        return "\n".join(lines)

    def build_identity_block(self, language: str | None = None) -> str | None:
        """The identity section, or ``None`` for an agent without role, description, scope
        or language (nothing to add to its prompt)."""
        if not (self.role or self.description or self.scope or language or self.language):
            return None
        return self.identity_block(language)

    def compose_prompt(self, base: str | None, language: str | None = None) -> str:
        """``base`` followed by the identity block."""
        identity = self.identity_block(language)
        return f"{base}\n\n{identity}" if base else identity

    def build_base_prompt(self, context: RoomContext) -> str | None:
        """The room's (or agent's) prompt without the identity block."""
        return super().build_system_prompt(context)

    def build_system_prompt(self, context: RoomContext) -> str | None:
        """The room's (or agent's) prompt plus identity, in the room's language when set."""
        return self.compose_prompt(self.build_base_prompt(context), get_room_language(context.room))

    def should_respond(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> bool:
        """Base rules, then: when routed, only the room's active agent answers."""
        if not super().should_respond(event, binding, context):
            return False
        if self.router is None:
            return True
        if self.channel_id in event.metadata.get(ALWAYS_KEY, ()):
            return True  # the router's supervisor sees every message
        if ROUTE_KEY in event.metadata:
            return bool(event.metadata[ROUTE_KEY] == self.channel_id)
        return bool(self.router.active_agent_for(context.room) == self.channel_id)

    async def generate_greeting(
        self,
        context: RoomContext,
        *,
        trigger: RoomEvent | None = None,
        instruction: str | None = None,
    ) -> RoomEvent | None:
        """A greeting message from this agent, generated from ``instruction`` (default: its
        ``greeting``).

        Returns ``None`` for config-only agents and agents without a greeting (the voice or
        realtime channel greets for them). Provider failures are reported and give ``None``.
        """
        instruction = instruction or self.greeting
        if self.provider is None or not instruction:
            return None
        system = self.build_system_prompt(context) or ""
        state = get_conversation_state(context.room)
        vision = self.provider.supports_vision
        history = [
            self.event_to_message(e, vision=vision)
            for e in context.recent_events
            if is_transcript_event(e)
        ][-20:]
        request = self._greeting_request(system, history, state.phase, instruction)
        try:
            response = await self.provider.generate(request)
        except Exception as exc:
            stage = f"greeting of {self.channel_id}"
            await self._report(exc, trigger or _placeholder_trigger(context), context, stage)
            return None
        if not response.content.strip():
            return None
        base = trigger or _placeholder_trigger(context)
        return self._reply_event(new_id(), response, 0, base, context)

    def _greeting_request(
        self, system: str, history: list[AIMessage], phase: str, instruction: str
    ) -> AIContext:
        ask = AIMessage(
            role="user",
            name="system",
            content=f"[You have just taken over this conversation (phase: {phase}). {instruction}]",
        )
        return AIContext(
            messages=[*history, ask],
            system_prompt=system,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            model=self.model,
            room_id=None,
            metadata={"channel_id": self.channel_id, "purpose": "greeting"},
        )

    def info(self) -> dict[str, object]:
        """Diagnostics including the identity fields."""
        data = super().info()
        data.update(role=self.role, voice=self.voice, language=self.language)
        return data


def _placeholder_trigger(context: RoomContext) -> RoomEvent:
    if context.recent_events:
        return context.recent_events[-1]
    return RoomEvent(
        room_id=context.room.id,
        type=EventType.SYSTEM,
        source=EventSource(channel_id="roomkit", channel_type=ChannelType.SYSTEM),
        content=SystemContent(body="greeting"),
    )
