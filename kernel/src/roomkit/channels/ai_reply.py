"""An AI turn's answer as the room sees it: the reply event and the channel output.

The reply is built from values the channel already holds with their exact types, so it is
made without re-validation (the store still checks it before writing); anything unusual (a
subclass's own ``channel_type``, say) goes through pydantic as usual.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from roomkit.models._construct import construct
from roomkit.models.ai import AIResponse
from roomkit.models.content import TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.providers.ai.base import AIProvider

if TYPE_CHECKING:
    from roomkit.channels.ai import AIChannel

__all__ = ["reply_event", "reply_output"]

_OUTPUT_FIELDS = ("responded", "response_events")


def _source(channel: AIChannel, provider: str | None) -> EventSource:
    """The source of ``channel``'s replies answered by ``provider``."""
    channel_id, channel_type = channel.channel_id, channel.channel_type
    if (
        type(channel_type) is ChannelType
        and type(channel_id) is str
        and (provider is None or type(provider) is str)
    ):
        return _shared_source(channel_id, channel_type, provider)
    # anything else (a subclass's own channel_type, say) is validated as usual, and not kept
    return EventSource(**_source_values(channel_id, channel_type, provider))


@functools.lru_cache(maxsize=1024)
def _shared_source(channel_id: str, channel_type: ChannelType, provider: str | None) -> EventSource:
    """A reply source of exactly typed values, built without re-validation once and shared by
    the replies, as the engine shares an inbound sender's (sources are not changed in place)."""
    return construct(EventSource, _source_values(channel_id, channel_type, provider))


def _source_values(channel_id: str, channel_type: Any, provider: str | None) -> dict[str, Any]:
    return {
        "channel_id": channel_id,
        "channel_type": channel_type,
        "direction": ChannelDirection.OUTBOUND,
        "participant_id": channel_id,
        "provider": provider,
    }


def reply_event(
    channel: AIChannel,
    message_id: str,
    response: AIResponse,
    rounds: int,
    trigger: RoomEvent,
    context: RoomContext,
    answered_by: AIProvider | None = None,
) -> RoomEvent:
    """The reply event answering ``trigger``: source the channel (outbound), chain depth one
    deeper, parent id and correlation id of ``trigger``, ``{"ai": {...}}`` metadata (model,
    tool rounds, token usage, ``fallback`` when the fallback provider answered)."""
    answered_by = answered_by or channel.provider
    ai_meta: dict[str, Any] = {"model": response.model, "tool_rounds": rounds}
    if answered_by is not None and answered_by is channel.fallback_provider:
        ai_meta["fallback"] = True  # the primary provider failed
    if response.usage is not None:
        ai_meta["usage"] = {
            "input_tokens": response.usage.input_tokens,
            "output_tokens": response.usage.output_tokens,
        }
    provider = answered_by.name if answered_by else None
    source = _source(channel, provider)
    body = response.content
    content = (
        construct(TextContent, {"body": body}) if type(body) is str else TextContent(body=body)
    )
    return construct(
        RoomEvent,
        {
            "id": message_id,
            "room_id": context.room.id,
            "source": source,
            "content": content,
            "chain_depth": trigger.chain_depth + 1,
            "parent_event_id": trigger.id,
            "correlation_id": trigger.correlation_id,
            "metadata": {"ai": ai_meta},
        },
    )


def reply_output(events: list[RoomEvent]) -> ChannelOutput:
    """``ChannelOutput(responded=..., response_events=events)`` without re-validating the
    events just built (same fields and fields set)."""
    output = construct(ChannelOutput, {"responded": bool(events), "response_events": events})
    object.__setattr__(output, "__pydantic_fields_set__", set(_OUTPUT_FIELDS))
    return output
