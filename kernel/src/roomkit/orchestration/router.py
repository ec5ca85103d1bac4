"""Routing: in a room with several agents, only the active one answers.

:class:`ConversationRouter` runs as a BEFORE_BROADCAST sync hook. It stamps each incoming
message with the id of the agent that should answer it (``event.metadata[ROUTE_KEY]``); agents
it manages compare that stamp with their own id. The active agent comes from the room's
:class:`~roomkit.models.conversation.ConversationState`, falling back to ``default_agent_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from roomkit.channels.engine import RoomEngine
from roomkit.errors import ConfigurationError
from roomkit.models.context import RoomContext
from roomkit.models.conversation import ConversationState, get_conversation_state
from roomkit.models.enums import ChannelType, EventType, HookExecution, HookTrigger
from roomkit.models.event import RoomEvent
from roomkit.models.hooks import HookResult
from roomkit.models.keys import ROUTE_KEY
from roomkit.models.room import Room

if TYPE_CHECKING:
    from roomkit.channels.agent import Agent

__all__ = ["ROUTE_KEY", "ConversationRouter", "RoutingRule"]

RoutingRule = Callable[[RoomEvent, ConversationState], "str | None"]
"""``rule(event, state) -> agent_id | None``: pick the agent for one message, or no opinion."""


class ConversationRouter:
    """Decides which agent answers each message of a room.

    ``rules`` are consulted in order for messages from people; the first that returns the id
    of a managed agent wins. Otherwise the room's active agent answers (``default_agent_id``
    when the room has none yet). Messages from AI channels are routed to nobody, so agents
    never answer each other.
    """

    hook_name = "roomkit.conversation_router"

    def __init__(
        self,
        *,
        default_agent_id: str | None = None,
        agent_ids: Iterable[str] | None = None,
        rules: Sequence[RoutingRule] = (),
    ) -> None:
        self.agent_ids: set[str] = set(agent_ids or ())
        if default_agent_id is not None:
            self.agent_ids.add(default_agent_id)
        self.default_agent_id = default_agent_id
        self.rules = list(rules)

    def active_agent_for(self, room: Room) -> str | None:
        """The agent that answers in ``room`` right now."""
        return get_conversation_state(room).active_agent_id or self.default_agent_id

    def select_agent(self, event: RoomEvent, room: Room) -> str | None:
        """The agent that should answer ``event`` (``None``: no agent answers)."""
        source = event.source
        if source.channel_type is ChannelType.AI or source.channel_id in self.agent_ids:
            return None
        if self.rules:
            state = get_conversation_state(room)
            for rule in self.rules:
                chosen = rule(event, state)
                if chosen is not None and (not self.agent_ids or chosen in self.agent_ids):
                    return chosen
            return state.active_agent_id or self.default_agent_id
        return self.active_agent_for(room)

    async def route(self, event: RoomEvent, ctx: RoomContext) -> HookResult:
        """The BEFORE_BROADCAST hook: stamp messages with the agent that answers them."""
        if event.type is not EventType.MESSAGE or ROUTE_KEY in event.metadata:
            return HookResult.allow()
        if event.source.channel_type is ChannelType.AI:
            return HookResult.allow()
        target = self.select_agent(event, ctx.room)
        stamped = event.model_copy(update={"metadata": {**event.metadata, ROUTE_KEY: target}})
        return HookResult.modify(stamped)

    def manage(self, agents: Iterable[Agent]) -> None:
        """Put ``agents`` under this router: they answer only when routed to."""
        for agent in agents:
            self.agent_ids.add(agent.channel_id)
            agent.router = self

    def install(
        self, kit: RoomEngine, agents: Iterable[Agent] = (), *, priority: int = -1000
    ) -> None:
        """Register the routing hook on ``kit`` (early: low priority) and manage ``agents``."""
        if not isinstance(kit, RoomEngine):
            raise ConfigurationError(
                f"ConversationRouter.install() needs a RoomKit, got {type(kit).__name__}"
            )
        kit.add_hook(
            HookTrigger.BEFORE_BROADCAST,
            self.route,
            execution=HookExecution.SYNC,
            name=self.hook_name,
            priority=priority,
        )
        self.manage(agents)
