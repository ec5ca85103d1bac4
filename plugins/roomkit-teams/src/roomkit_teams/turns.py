"""RoomKit as the logic of a botbuilder turn.

An app that hosts its bot with botbuilder (``BotFrameworkAdapter.process_activity``, which
checks the request's token itself) hands each turn to :func:`teams_turn_handler`:

* every activity's conversation reference is kept (replies and proactive messages);
* ``message`` -> :func:`roomkit.core.webhooks.process_message` (routing, dedupe by
  activity id, the room's other channels and agents);
* ``typing`` -> a ``TYPING_START`` ephemeral event in the sender's room;
* ``messageReaction`` -> ``REACTION`` ephemeral events (add / remove) aimed at the room event
  the reacted-to message carried;
* ``conversationUpdate`` -> the reference only (the bot or members were added).

What each turn did is appended to ``handler.results`` (bounded), for callers and tests.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from roomkit.channels.messaging import MessagingChannel
from roomkit.core.webhooks import process_message
from roomkit.models.event import InboundResult
from roomkit_teams.activities import (
    conversation_reference,
    parse_teams_activity,
    parse_teams_reactions,
    parse_teams_webhook,
)

if TYPE_CHECKING:
    from botbuilder.core import TurnContext

    from roomkit.core.framework import RoomKit
    from roomkit_teams.provider import BotFrameworkTeamsProvider

__all__ = ["TeamsTurnHandler", "teams_turn_handler"]


class TeamsTurnHandler:
    """The callable a botbuilder adapter runs for each turn (see the module docstring)."""

    def __init__(self, provider: BotFrameworkTeamsProvider, kit: RoomKit, channel_id: str):
        self.provider = provider
        self.kit = kit
        self.channel_id = channel_id
        self.results: deque[InboundResult] = deque(maxlen=1000)

    async def __call__(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        payload: dict[str, Any] = activity.serialize()
        if payload.get("serviceUrl") and (payload.get("conversation") or {}).get("id"):
            await self.provider.save_conversation_reference(payload)
        kind = payload.get("type")
        if kind == "message":
            for message in parse_teams_webhook(payload, self.channel_id):
                self.results.append(await process_message(self.kit, message))
        elif kind == "typing":
            room_id = await self._room_of(payload)
            if room_id is not None:
                sender = parse_teams_activity(payload)["sender_id"]
                await self.kit.publish_typing(room_id, sender, channel_id=self.channel_id)
        elif kind == "messageReaction":
            await self._reactions(payload)

    async def _room_of(self, payload: dict[str, Any]) -> str | None:
        facts = parse_teams_activity(payload)
        channel = self.kit.get_channel(self.channel_id)
        if isinstance(channel, MessagingChannel):
            for address in (facts["conversation_id"], facts["sender_id"]):
                ref = await channel.message_index.get(f"recipient:{address}")
                if ref is not None:
                    return ref.room_id
        room = await self.kit.store.find_latest_room(
            self.channel_id, facts["sender_id"], status=None
        )
        return room.id if room is not None else None

    async def _reactions(self, payload: dict[str, Any]) -> None:
        room_id = await self._room_of(payload)
        channel = self.kit.get_channel(self.channel_id)
        if room_id is None:
            return
        for reaction in parse_teams_reactions(payload):
            target = reaction["target_activity_id"]
            if isinstance(channel, MessagingChannel) and target:
                ref = await channel.find_sent(target)
                if ref is not None and ref.event_id:
                    target = ref.event_id
            await self.kit.publish_reaction(
                room_id,
                reaction["sender_id"],
                target,
                reaction["emoji"],
                reaction["action"],
                channel_id=self.channel_id,
            )


def teams_turn_handler(
    provider: BotFrameworkTeamsProvider, kit: RoomKit, channel_id: str
) -> TeamsTurnHandler:
    """A :class:`TeamsTurnHandler` for ``provider``'s channel ``channel_id`` in ``kit``."""
    return TeamsTurnHandler(provider, kit, channel_id)


def reference_of(turn_context: TurnContext) -> dict[str, Any]:
    """The conversation reference (JSON) of the turn's activity."""
    return conversation_reference(turn_context.activity)
