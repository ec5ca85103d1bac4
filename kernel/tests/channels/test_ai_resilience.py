"""AIChannel's retry_policy and fallback_provider: retryable provider errors are retried, a
provider that still fails hands the request to the fallback, and a turn that fails anyway is
recorded like any AI failure (ChannelOutput.error, InboundResult.failures, circuit breaker)."""

from __future__ import annotations

from roomkit import (
    AIChannel,
    ChannelCategory,
    DeliveryStatus,
    InboundMessage,
    RetryPolicy,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.channels.ai_resilience import ProviderCalls
from roomkit.errors import ProviderError
from roomkit.models.ai import AIContext, AIMessage
from roomkit.testing import MockAIProvider

FAST = RetryPolicy(max_retries=2, base_delay_seconds=0.001, max_delay_seconds=0.01)


def busy() -> ProviderError:
    return ProviderError("overloaded", provider="mock", retryable=True, status_code=503)


def refused() -> ProviderError:
    return ProviderError("invalid key", provider="mock", retryable=False, status_code=401)


class Named(MockAIProvider):
    """A mock provider with its own name (reply events name the provider that answered)."""

    def __init__(self, name: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.name = name


async def kit_with(ai: AIChannel) -> RoomKit:
    kit = RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    kit.register_channel(WebSocketChannel("screen"))
    kit.register_channel(ai)
    await kit.create_room(room_id="r")
    await kit.attach_channel("r", "ws")
    await kit.attach_channel("r", "screen")
    await kit.attach_channel("r", "ai", category=ChannelCategory.INTELLIGENCE)
    return kit


def said(body: str = "hello") -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body=body))


async def test_retryable_errors_are_retried_as_the_policy_allows() -> None:
    primary = Named("primary", responses=["third time lucky"], errors=[busy(), busy(), None])
    kit = await kit_with(AIChannel("ai", primary, retry_policy=FAST))
    result = await kit.process_inbound(said())
    assert [r.content.body for r in result.responses] == ["third time lucky"]  # type: ignore[union-attr]
    assert primary.call_count == 3
    assert result.failures == {}


async def test_without_a_policy_nothing_is_retried() -> None:
    primary = Named("primary", responses=["late"], errors=[busy(), None])
    kit = await kit_with(AIChannel("ai", primary))
    result = await kit.process_inbound(said())
    assert result.responses == []
    assert primary.call_count == 1
    assert result.failures["ai"].error == "ProviderError: overloaded"


async def test_errors_a_retry_cannot_fix_are_not_retried() -> None:
    primary = Named("primary", responses=["never"], errors=[refused(), None])
    kit = await kit_with(AIChannel("ai", primary, retry_policy=FAST))
    result = await kit.process_inbound(said())
    assert primary.call_count == 1
    assert result.failures["ai"].error == "ProviderError: invalid key"


async def test_the_fallback_answers_when_retries_are_used_up() -> None:
    primary = Named("primary", responses=["never"], errors=busy())
    fallback = Named("backup", responses=["from the backup"])
    ai = AIChannel("ai", primary, retry_policy=FAST, fallback_provider=fallback)
    kit = await kit_with(ai)
    result = await kit.process_inbound(said())
    assert primary.call_count == 3  # the first attempt and two retries
    assert fallback.call_count == 1
    [reply] = result.responses
    assert reply.content.body == "from the backup"  # type: ignore[union-attr]
    assert reply.source.provider == "backup"
    assert reply.metadata["ai"]["fallback"] is True
    assert result.failures == {}
    # the next turn starts with the primary again
    primary.reset()
    await kit.process_inbound(said("again"))
    assert primary.call_count == 3


async def test_the_fallback_also_answers_errors_a_retry_cannot_fix() -> None:
    primary = Named("primary", errors=refused())
    fallback = Named("backup", responses=["backup here"])
    kit = await kit_with(AIChannel("ai", primary, retry_policy=FAST, fallback_provider=fallback))
    result = await kit.process_inbound(said())
    assert primary.call_count == 1
    assert [r.content.body for r in result.responses] == ["backup here"]  # type: ignore[union-attr]


async def test_bugs_are_not_handed_to_the_fallback() -> None:
    primary = Named("primary", errors=KeyError("missing"))
    fallback = Named("backup", responses=["backup here"])
    kit = await kit_with(AIChannel("ai", primary, retry_policy=FAST, fallback_provider=fallback))
    result = await kit.process_inbound(said())
    assert primary.call_count == 1
    assert fallback.call_count == 0
    assert result.failures["ai"].error == "KeyError: 'missing'"


async def test_a_failing_fallback_records_the_primary_failure_and_counts_for_the_breaker() -> None:
    primary = Named("primary", errors=busy())
    fallback = Named("backup", errors=ProviderError("backup down", retryable=True))
    ai = AIChannel("ai", primary, retry_policy=FAST, fallback_provider=fallback)
    kit = await kit_with(ai)
    for n in range(5):
        result = await kit.process_inbound(said(f"hello {n}"))
        failure = result.failures["ai"]
        assert failure.status is DeliveryStatus.FAILED
        assert failure.error == "ProviderError: overloaded"
    assert fallback.call_count == 5  # the fallback is asked once per turn, never retried
    assert primary.call_count == 15
    # five failed turns open the AI channel's circuit breaker: no provider call is made
    result = await kit.process_inbound(said("and again"))
    assert result.responses == []
    assert primary.call_count == 15
    assert fallback.call_count == 5


async def test_a_stream_is_retried_until_its_first_chunk() -> None:
    # the first stream fails before any chunk
    primary = Named(
        "primary", responses=["streamed after a retry"], streaming=True, errors=[busy(), None]
    )
    kit = await kit_with(AIChannel("ai", primary, retry_policy=FAST, streaming=True))
    result = await kit.process_inbound(said())
    assert [r.content.body for r in result.responses] == ["streamed after a retry"]  # type: ignore[union-attr]
    assert primary.call_count == 2


async def test_retry_after_is_honoured_within_the_policy_limit() -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    waited = ProviderError("slow down", retryable=True, status_code=429, retry_after=3.0)
    capped = ProviderError("slow down", retryable=True, status_code=429, retry_after=500.0)
    primary = Named("primary", responses=["ok"], errors=[busy(), waited, capped, None])
    policy = RetryPolicy(max_retries=3, base_delay_seconds=0.5, max_delay_seconds=60)
    calls = ProviderCalls(primary, retry_policy=policy, sleep=sleep)
    request = AIContext(messages=[AIMessage(role="user", content="hi")])
    response = await calls.generate(request)
    assert response.content == "ok"
    assert pauses == [0.5, 3.0, 60.0]
    assert calls.answered_by is primary
