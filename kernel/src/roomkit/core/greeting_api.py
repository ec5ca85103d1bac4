"""The kit's greeting method: an agent says hello before anyone has written."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from roomkit.core._text import short_id
from roomkit.errors import ConfigurationError
from roomkit.models.content import TextContent

if TYPE_CHECKING:
    from roomkit.channels.agent import Agent
    from roomkit.core.framework import RoomKit

__all__ = ["GREETING_KEY", "GreetingMixin"]

GREETING_KEY = "auto_greeting"
"""``RoomEvent.metadata`` flag (``True``) of a greeting posted by ``send_greeting``."""


class GreetingMixin:
    """``send_greeting`` of :class:`~roomkit.core.framework.RoomKit`."""

    async def send_greeting(
        self,
        room_id: str,
        *,
        channel_id: str | None = None,
        agent_id: str | None = None,
        greeting: str | None = None,
    ) -> None:
        """Post an agent's greeting into ``room_id`` as a message from that agent.

        The agent is ``agent_id`` (or ``channel_id``, the 0.6.7 spelling), else the room's
        active agent, else the first attached :class:`~roomkit.channels.agent.Agent` with
        ``auto_greet`` and a ``greeting``; with no such agent nothing is sent. The text is
        ``greeting`` or the agent's ``greeting``, sent as it is (no model call), flagged
        ``metadata["auto_greeting"] = True``; other agents do not answer it.

        Raises :class:`~roomkit.errors.RoomNotFoundError` for an unknown room and
        :class:`~roomkit.errors.ConfigurationError` for a named agent that is not a
        registered ``Agent`` attached to the room, or that has no greeting to send.
        """
        # lazy: the agent channels load only when a program greets
        from roomkit.channels.agent import Agent

        kit = cast("RoomKit", self)  # this mixin is only ever part of RoomKit
        context = await kit.build_context(room_id)
        attached = {b.channel_id for b in context.bindings}
        named = agent_id or channel_id
        agent: Agent | None = None
        if named is not None:
            channel = kit._rt.channels.get(named)
            if not isinstance(channel, Agent) or named not in attached:
                raise ConfigurationError(
                    f"send_greeting(): {named!r} is not an Agent attached to room "
                    f"{short_id(room_id)}"
                )
            agent = channel
        else:
            agents = [
                c
                for b in context.bindings
                if isinstance(c := kit._rt.channels.get(b.channel_id), Agent)
            ]
            # lazy: the conversation-state models are built only when a greeting picks an agent
            from roomkit.models.conversation import get_conversation_state

            active = get_conversation_state(context.room).active_agent_id
            agent = next((a for a in agents if a.channel_id == active and a.greeting), None)
            if agent is None:
                agent = next((a for a in agents if a.auto_greet and a.greeting), None)
            if agent is None:
                return
        text = greeting if greeting is not None else agent.greeting
        if not text or not text.strip():
            raise ConfigurationError(
                f"send_greeting(): agent {agent.channel_id!r} has no greeting; pass greeting=..."
            )
        await kit.send_event(
            room_id,
            TextContent(body=text),
            channel_id=agent.channel_id,
            participant_id=agent.channel_id,
            metadata={GREETING_KEY: True},
        )
