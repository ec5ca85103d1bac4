"""FallbackAIProvider: next provider on ProviderError, exceptions and timeouts."""

from __future__ import annotations

import pytest

from roomkit import AIContext, AIImagePart, AIMessage, AITextPart, FallbackAIProvider
from roomkit.errors import ConfigurationError, ProviderError
from roomkit.testing import MockAIProvider


def ctx() -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content="hi")])


async def test_moves_to_next_provider_on_provider_error() -> None:
    bad = MockAIProvider(errors=ProviderError("rate limited", retryable=True))
    good = MockAIProvider(responses=["from backup"])
    fallback = FallbackAIProvider([bad, good])
    assert (await fallback.generate(ctx())).content == "from backup"
    assert fallback.last_provider is good
    assert bad.call_count == 1
    assert fallback.failures == [("mock", "ProviderError: rate limited")]


async def test_moves_on_after_timeout() -> None:
    slow = MockAIProvider(responses=["late"], delay=1.0)
    fast = MockAIProvider(responses=["fast"])
    fallback = FallbackAIProvider([slow, fast], timeout=0.05)
    assert (await fallback.generate(ctx())).content == "fast"
    assert fallback.failures[-1] == ("mock", "timed out")


async def test_all_failing_raises_provider_error_listing_them() -> None:
    fallback = FallbackAIProvider(
        [MockAIProvider(errors=ProviderError("a")), MockAIProvider(errors=RuntimeError("b"))]
    )
    with pytest.raises(ProviderError, match=r"all 2 fallback providers failed.*a.*RuntimeError: b"):
        await fallback.generate(ctx())


async def test_only_retryable_stops_on_permanent_errors() -> None:
    fallback = FallbackAIProvider(
        [MockAIProvider(errors=ProviderError("bad key")), MockAIProvider()], only_retryable=True
    )
    with pytest.raises(ProviderError, match="bad key"):
        await fallback.generate(ctx())


async def test_image_requests_skip_providers_without_vision() -> None:
    blind = MockAIProvider(responses=["blind"])
    seeing = MockAIProvider(responses=["I see a cat"], vision=True)
    fallback = FallbackAIProvider([blind, seeing])
    image = AIContext(
        messages=[
            AIMessage(
                role="user",
                content=[AITextPart(text="what?"), AIImagePart(url="https://x/cat.png")],
            )
        ]
    )
    assert (await fallback.generate(image)).content == "I see a cat"
    assert blind.call_count == 0
    assert fallback.supports_vision


async def test_stream_falls_back_before_the_first_chunk() -> None:
    bad = MockAIProvider(errors=ProviderError("down"), streaming=True)
    good = MockAIProvider(responses=["a b"], streaming=True)
    fallback = FallbackAIProvider([bad, good], timeout=1.0)
    text = "".join([c.text_delta async for c in fallback.generate_stream(ctx())])
    assert text == "a b"
    assert fallback.last_provider is good


def test_configuration_errors() -> None:
    with pytest.raises(ConfigurationError):
        FallbackAIProvider([])
    with pytest.raises(ConfigurationError):
        FallbackAIProvider([MockAIProvider()], timeout=0)
