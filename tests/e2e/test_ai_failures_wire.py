"""AI failures are visible (issue 16.4), with the real ``openai`` SDK over real sockets.

* A model server that accepts connections and never answers (``silent_server``): each turn
  fails after the provider's ``read_timeout``; the failure is on the event and the result,
  and after five failures the AI channel's circuit breaker refuses further turns at once.
* A model server that trickles tokens (``ScriptedLLMServer``): a streamed turn ends at the
  provider's overall ``timeout``, or at the kit's ``response_timeout``, whichever comes
  first, and the failure is recorded the same way.
"""

from __future__ import annotations

import asyncio

from roomkit_openai import OpenAIAIProvider

from roomkit import (
    AIChannel,
    ChannelCategory,
    EphemeralEvent,
    EventStatus,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit_conformance.wire.scripted import ScriptedLLMServer, ScriptedReply
from roomkit_conformance.wire.silent import silent_server


async def kit_with(provider: OpenAIAIProvider, **settings: object) -> RoomKit:
    kit = RoomKit(**settings)  # type: ignore[arg-type]
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(WebSocketChannel("screen"))
    kit.register_channel(AIChannel("ai", provider=provider, streaming=True))
    await kit.create_room(room_id="r")
    for channel_id in ("ws", "screen"):
        await kit.attach_channel("r", channel_id)
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    return kit


def said(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))


async def test_a_silent_model_server_fails_turns_visibly_then_opens_the_breaker() -> None:
    async with silent_server() as (host, port):
        provider = OpenAIAIProvider(
            api_key="test-key",
            base_url=f"http://{host}:{port}/v1",
            read_timeout=0.5,
            max_retries=0,
        )
        kit = await kit_with(provider)
        try:
            for n in range(5):
                # bounded by the read timeout (0.5 s), not by minutes
                result = await asyncio.wait_for(kit.process_inbound(said(f"hello {n}")), 10)
                assert result.responses == []
                failure = result.failures["ai"]
                assert failure.error is not None
                assert failure.error.startswith("ProviderTimeoutError")
                assert result.event is not None
                assert result.event.status is EventStatus.DELIVERED  # the screen got it
                stored = await kit.store.get_event(result.event.id)
                assert stored is not None
                assert stored.delivery_results["ai"].error == failure.error
            refused = await asyncio.wait_for(kit.process_inbound(said("still there?")), 10)
            error = refused.failures["ai"].error
            assert error is not None
            assert "CircuitOpenError" in error
        finally:
            await kit.close()


async def test_a_trickling_stream_ends_at_the_provider_deadline() -> None:
    async with ScriptedLLMServer() as server:
        # 150 words, one every 0.1 s: at least 15 s in all; the answer deadline is 1 s.
        server.script(ScriptedReply(text="token " * 150, interval=0.1))
        provider = OpenAIAIProvider(
            api_key="test-key",
            base_url=server.base_url("openai"),
            timeout=1.0,
            read_timeout=30.0,
            max_retries=0,
        )
        kit = await kit_with(provider)
        deltas: list[EphemeralEvent] = []

        async def watch(event: EphemeralEvent) -> None:
            deltas.append(event)

        await kit.subscribe_room("r", watch)
        try:
            result = await asyncio.wait_for(kit.process_inbound(said("tell me a story")), 10)
            error = result.failures["ai"].error
            assert error is not None
            assert error.startswith("ProviderTimeoutError")
            assert result.responses == []
            await kit.drain()
            assert deltas  # it did stream before the deadline
        finally:
            await kit.close()


async def test_a_trickling_stream_ends_at_the_kit_response_timeout() -> None:
    async with ScriptedLLMServer() as server:
        server.script(ScriptedReply(text="token " * 150, interval=0.1))
        provider = OpenAIAIProvider(
            api_key="test-key", base_url=server.base_url("openai"), max_retries=0
        )
        kit = await kit_with(provider, response_timeout=1.0)
        try:
            result = await asyncio.wait_for(kit.process_inbound(said("tell me a story")), 10)
            assert result.failures["ai"].error == (
                "DeliveryError: channel 'ai' did not finish within 1.0s"
            )
        finally:
            await kit.close()
