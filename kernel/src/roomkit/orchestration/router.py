"""Routing: in a room with several agents, only the active one answers.

:class:`ConversationRouter` runs as a BEFORE_BROADCAST sync hook. It stamps each incoming
message with the id of the agent that should answer it (``event.metadata[ROUTE_KEY]``); agents
it manages compare that stamp with their own id. :class:`RoutingRule` s (or plain functions)
are consulted first; otherwise the active agent of the room's
:class:`~roomkit.models.conversation.ConversationState` answers, falling back to
``default_agent_id``. A ``supervisor_id`` agent sees every message as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import ConfigDict, Field

from roomkit.channels.engine import RoomEngine
from roomkit.deferred import DeferredModel
from roomkit.errors import ConfigurationError
from roomkit.models.context import RoomContext
from roomkit.models.conversation import ConversationState, get_conversation_state
from roomkit.models.enums import ChannelType, EventType, HookExecution, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import HookResult
from roomkit.models.keys import ALWAYS_KEY, ROUTE_KEY
from roomkit.models.room import Room
from roomkit.orchestration.handoff import HandoffHandler, HandoffRule

if TYPE_CHECKING:
    from roomkit.channels.agent import Agent

__all__ = [
    "ROUTE_KEY",
    "ConversationRouter",
    "RoutingConditions",
    "RoutingFunction",
    "RoutingRule",
]

RoutingFunction: TypeAlias = Callable[[RoomEvent, ConversationState], "str | None"]
"""``rule(event, state) -> agent_id | None``: pick the agent for one message, or no opinion."""

CustomCondition: TypeAlias = Callable[[RoomEvent, RoomContext, ConversationState], bool]


class RoutingConditions(DeferredModel):
    """What a message must match for a :class:`RoutingRule` to apply (every given field).

    ``phases``: the room's conversation phase; ``channel_types`` / ``source_channel_ids``: where
    the message came from; ``intents``: ``event.metadata["intent"]`` (set by an upstream
    classifier hook); ``custom(event, context, state) -> bool``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    phases: set[str] | None = None
    channel_types: set[ChannelType] | None = None
    intents: set[str] | None = None
    source_channel_ids: set[str] | None = None
    custom: CustomCondition | None = None

    def matches(self, event: RoomEvent, context: RoomContext, state: ConversationState) -> bool:
        """Whether ``event`` meets every condition given."""
        if self.phases is not None and state.phase not in self.phases:
            return False
        source = event.source
        if self.channel_types is not None and source.channel_type not in self.channel_types:
            return False
        if self.source_channel_ids is not None and source.channel_id not in self.source_channel_ids:
            return False
        if self.intents is not None and event.metadata.get("intent") not in self.intents:
            return False
        return self.custom is None or bool(self.custom(event, context, state))


class RoutingRule(DeferredModel):
    """Send messages matching ``conditions`` to ``agent_id``; lower ``priority`` is tried first."""

    agent_id: str = Field(min_length=1)
    conditions: RoutingConditions = Field(default_factory=RoutingConditions)
    priority: int = 0


class ConversationRouter:
    """Decides which agent answers each message of a room.

    ``rules`` (:class:`RoutingRule` objects, tried by ascending priority, and
    ``rule(event, state) -> agent_id | None`` functions, tried in the order given after them)
    are consulted for messages from people; the first that names a managed agent wins.
    Otherwise the room's active agent answers (``default_agent_id`` when the room has none
    yet). Messages from AI channels are routed to nobody, so agents never answer each other.
    ``supervisor_id`` names an agent that answers every message besides the routed one.
    """

    hook_name = "roomkit.conversation_router"

    def __init__(
        self,
        rules: Sequence[RoutingRule | RoutingFunction] | None = None,
        default_agent_id: str | None = None,
        supervisor_id: str | None = None,
        *,
        agent_ids: Iterable[str] | None = None,
    ) -> None:
        self.agent_ids: set[str] = set(agent_ids or ())
        for agent_id in (default_agent_id, supervisor_id):
            if agent_id is not None:
                self.agent_ids.add(agent_id)
        self.default_agent_id = default_agent_id
        self.supervisor_id = supervisor_id
        self.rules: list[RoutingRule | RoutingFunction] = []
        for rule in rules or ():
            self.add_rule(rule)

    def add_rule(self, rule: RoutingRule | RoutingFunction) -> None:
        """Add a rule (a :class:`RoutingRule` or a function)."""
        if not isinstance(rule, RoutingRule) and not callable(rule):
            raise ConfigurationError(
                f"a routing rule is a RoutingRule or a function(event, state), got "
                f"{type(rule).__name__}"
            )
        self.rules.append(rule)
        if isinstance(rule, RoutingRule):
            self.agent_ids.add(rule.agent_id)
        models = sorted(
            (r for r in self.rules if isinstance(r, RoutingRule)), key=lambda r: r.priority
        )
        self.rules = [*models, *(r for r in self.rules if not isinstance(r, RoutingRule))]

    def active_agent_for(self, room: Room) -> str | None:
        """The agent that answers in ``room`` right now."""
        return get_conversation_state(room).active_agent_id or self.default_agent_id

    def select_agent(
        self,
        event: RoomEvent,
        context: RoomContext | Room,
        state: ConversationState | None = None,
    ) -> str | None:
        """The agent that should answer ``event`` (``None``: no agent answers).

        ``state`` defaults to the state stored on the context's room.
        """
        source = event.source
        if source.channel_type is ChannelType.AI or source.channel_id in self.agent_ids:
            return None
        ctx = context if isinstance(context, RoomContext) else RoomContext(room=context)
        if state is None:
            state = get_conversation_state(ctx.room)
        for rule in self.rules:
            if isinstance(rule, RoutingRule):
                chosen: str | None = (
                    rule.agent_id if rule.conditions.matches(event, ctx, state) else None
                )
            else:
                chosen = rule(event, state)
            if chosen is not None and (not self.agent_ids or chosen in self.agent_ids):
                return chosen
        return state.active_agent_id or self.default_agent_id

    async def route(self, event: RoomEvent, ctx: RoomContext) -> HookResult:
        """The BEFORE_BROADCAST hook: stamp messages with the agent that answers them."""
        if event.type is not EventType.MESSAGE or ROUTE_KEY in event.metadata:
            return HookResult.allow()
        if event.source.channel_type is ChannelType.AI:
            return HookResult.allow()
        target = self.select_agent(event, ctx)
        stamp: dict[str, Any] = {ROUTE_KEY: target}
        if self.supervisor_id is not None and self.supervisor_id != target:
            stamp[ALWAYS_KEY] = [self.supervisor_id]
        stamped = event.model_copy(update={"metadata": {**event.metadata, **stamp}})
        return HookResult.modify(stamped)

    def as_hook(self) -> Callable[[RoomEvent, RoomContext], Any]:
        """The routing hook, to register yourself:
        ``kit.hook(HookTrigger.BEFORE_BROADCAST, execution=HookExecution.SYNC)(router.as_hook())``.

        Agents still need :meth:`manage` (done by :meth:`install`) to obey the stamps.
        """
        return self.route

    def manage(self, agents: Iterable[Agent]) -> None:
        """Put ``agents`` under this router: they answer only when routed to."""
        for agent in agents:
            self.agent_ids.add(agent.channel_id)
            agent.router = self

    def install(
        self,
        kit: RoomEngine,
        agents: Sequence[Agent] = (),
        *,
        agent_aliases: Mapping[str, str] | None = None,
        phase_map: Mapping[str, str] | None = None,
        hook_priority: int = -1000,
        allowed_transitions: Mapping[str, Iterable[str]] | None = None,
        allowed_targets: Mapping[str, Iterable[str]] | None = None,
        handoff_rules: Iterable[HandoffRule] = (),
        greet_on_handoff: bool = False,
        voice_channel_id: str | None = None,
        greeting_prompt: str | None = None,
    ) -> HandoffHandler:
        """Register the routing hook on ``kit`` (early: low priority), manage ``agents``, and
        give each of them the ``handoff_conversation`` tool; returns the
        :class:`~roomkit.orchestration.handoff.HandoffHandler` that carries out handoffs.

        ``agent_aliases`` map names the model may use (``"human"``) to agent ids;
        ``phase_map`` gives the phase each agent owns (a handoff moves the room there).
        """
        if not isinstance(kit, RoomEngine):
            raise ConfigurationError(
                f"ConversationRouter.install() needs a RoomKit, got {type(kit).__name__}"
            )
        kit.add_hook(
            HookTrigger.BEFORE_BROADCAST,
            self.route,
            execution=HookExecution.SYNC,
            name=self.hook_name,
            priority=hook_priority,
        )
        self.manage(agents)
        handoff = HandoffHandler(
            kit,
            self,
            agent_aliases=agent_aliases,
            phase_map=phase_map,
            allowed_transitions=allowed_transitions,
            agents=agents,
            allowed_targets=allowed_targets,
            rules=handoff_rules,
            greet_on_handoff=greet_on_handoff,
            voice_channel_id=voice_channel_id,
            greeting_prompt=greeting_prompt,
        )
        handoff.install_tools(agents)
        return handoff
