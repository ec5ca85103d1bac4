"""Streamed generation for :class:`~roomkit.channels.ai.AIChannel`: one provider call whose
thinking and text deltas become ephemeral events (and pushes to streaming channels) as they
arrive, folded into one :class:`~roomkit.models.ai.AIResponse` for the turn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.channels.ai_resilience import ProviderCalls
from roomkit.channels.streaming import StreamFanout
from roomkit.models.ai import AIContext, AIResponse, AIToolCall, AIUsage
from roomkit.models.enums import EphemeralEventType
from roomkit.models.event import EphemeralEvent
from roomkit.models.keys import STREAM_EVENT_KIND
from roomkit.tools.context import ToolCallContext

if TYPE_CHECKING:
    from roomkit.channels.ai import AIChannel

__all__ = ["generate_streaming"]


async def generate_streaming(
    channel: AIChannel, request: AIContext, turn: ToolCallContext, message_id: str, continuing: bool
) -> AIResponse:
    """One streamed provider call of ``channel``'s turn: thinking and text deltas published as
    ephemeral events (and pushed to streaming channels), the whole response returned."""
    assert channel.provider is not None
    parts: list[str] = []
    calls: list[AIToolCall] = []
    finish: str | None = None
    usage: AIUsage | None = None
    seq = int(turn.data.get("stream_seq", 0))
    fanout: StreamFanout | None = turn.data.get("stream_fanout")
    thinking = False
    reasoning: list[str] = []
    providers: ProviderCalls = turn.data["provider_calls"]
    async for chunk in providers.stream(request):
        if chunk.thinking_delta:
            reasoning.append(chunk.thinking_delta)
            if not thinking:
                thinking = True
                await _publish_thinking(channel, turn.room_id, EphemeralEventType.THINKING_START)
        if chunk.text_delta:
            if thinking:
                thinking = False
                await _publish_thinking(channel, turn.room_id, EphemeralEventType.THINKING_END)
            delta = chunk.text_delta
            if continuing and not parts:
                delta = "\n\n" + delta
            parts.append(chunk.text_delta)
            await _publish_delta(channel, turn.room_id, message_id, delta, seq)
            if fanout:
                await fanout.push(delta)
            seq += 1
        calls.extend(chunk.tool_calls)
        finish = chunk.finish_reason or finish
        usage = chunk.usage or usage
    if thinking:
        await _publish_thinking(channel, turn.room_id, EphemeralEventType.THINKING_END)
    turn.data["stream_seq"] = seq
    return AIResponse(
        content="".join(parts),
        tool_calls=calls,
        finish_reason=finish,
        usage=usage,
        model=providers.answered_by.model_name,
        thinking="".join(reasoning) or None,
    )


async def _publish_thinking(channel: AIChannel, room_id: str, kind: EphemeralEventType) -> None:
    await channel._publish(
        EphemeralEvent(
            room_id=room_id, type=kind, channel_id=channel.channel_id, user_id=channel.channel_id
        )
    )


async def _publish_delta(
    channel: AIChannel, room_id: str, message_id: str, delta: str, seq: int
) -> None:
    await channel._publish(
        EphemeralEvent(
            room_id=room_id,
            type=EphemeralEventType.CUSTOM,
            channel_id=channel.channel_id,
            user_id=channel.channel_id,
            data={
                "kind": STREAM_EVENT_KIND,
                "message_id": message_id,
                "delta": delta,
                "seq": seq,
            },
        ),
    )
