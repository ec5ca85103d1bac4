"""OpenAIAIProvider against llmock through the real openai SDK: wire shape, retries, timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_openai import OpenAIAIProvider, OpenAIConfig, create_vllm_provider

from roomkit.errors import InvalidContentError, ProviderError
from roomkit.models.ai import AIContext, AIImagePart, AIMessage, AITextPart
from roomkit_conformance.wire.llm import LLMockWire


def _hello() -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content="hello")])


@pytest.fixture
async def make(openai_wire: LLMockWire) -> AsyncIterator:
    made: list[OpenAIAIProvider] = []

    def build(**options: object) -> OpenAIAIProvider:
        options.setdefault("max_retries", 0)
        provider = OpenAIAIProvider(
            OpenAIConfig(api_key="k", base_url=openai_wire.base_url, **options)  # type: ignore[arg-type]
        )
        made.append(provider)
        return provider

    yield build
    for provider in made:
        await provider.close()


async def test_request_carries_model_limits_and_tools(make, openai_wire: LLMockWire) -> None:
    provider = make(model="gpt-4o-mini", temperature=0.1, max_tokens=50)
    await provider.generate(_hello())
    body = (await openai_wire.requests())[-1]
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0.1
    assert body["max_completion_tokens"] == 50
    await provider.generate(AIContext(messages=_hello().messages, temperature=0.9, model="gpt-4o"))
    body = (await openai_wire.requests())[-1]
    assert (body["model"], body["temperature"]) == ("gpt-4o", 0.9)


async def test_vllm_sends_max_tokens(openai_wire: LLMockWire) -> None:
    provider = create_vllm_provider(openai_wire.base_url, "gpt-4o", max_tokens=7, max_retries=0)
    try:
        await provider.generate(_hello())
        body = (await openai_wire.requests())[-1]
        assert body["max_tokens"] == 7
        assert "max_completion_tokens" not in body
        await openai_wire.fail(503)
        with pytest.raises(ProviderError) as info:
            await provider.generate(_hello())
        assert info.value.provider == "vllm"
    finally:
        await provider.close()


async def test_image_parts_use_image_url_with_detail(make, openai_wire: LLMockWire) -> None:
    provider = make(image_detail="low")
    message = AIMessage(
        role="user",
        content=[AITextPart(text="look"), AIImagePart(url="https://example.com/cat.png")],
    )
    response = await provider.generate(AIContext(messages=[message]))
    assert response.content
    content = (await openai_wire.requests())[-1]["messages"][0]["content"]
    assert content[1] == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/cat.png", "detail": "low"},
    }


async def test_invalid_image_url_is_rejected_before_the_wire(make, openai_wire) -> None:
    provider = make()
    message = AIMessage(role="user", content=[AIImagePart(url="file:///etc/passwd")])
    with pytest.raises(InvalidContentError, match="data: URI"):
        await provider.generate(AIContext(messages=[message]))
    assert await openai_wire.requests() == []


async def test_tool_message_needs_its_call_id(make) -> None:
    provider = make()
    with pytest.raises(InvalidContentError, match="tool_call_id"):
        await provider.generate(AIContext(messages=[AIMessage(role="tool", content="x")]))


async def test_malformed_tool_arguments_are_a_retryable_error(make, openai_wire) -> None:
    from roomkit_conformance.suites.ai_provider import WEATHER_TOOL

    provider = make()
    await openai_wire.malformed_tool_arguments()
    with pytest.raises(
        ProviderError, match="invalid JSON arguments for tool 'get_weather'"
    ) as info:
        await provider.generate(AIContext(messages=_hello().messages, tools=[WEATHER_TOOL]))
    assert info.value.retryable is True


async def test_stream_reports_usage(make, openai_wire: LLMockWire) -> None:
    provider = make()
    chunks = [c async for c in provider.generate_stream(_hello())]
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.output_tokens > 0
    assert (await openai_wire.requests())[-1]["stream_options"] == {"include_usage": True}


async def test_reasoning_effort_is_sent_when_set(make, openai_wire: LLMockWire) -> None:
    await make(reasoning_effort="low").generate(_hello())
    assert (await openai_wire.requests())[-1]["reasoning_effort"] == "low"
    await make().generate(_hello())
    assert "reasoning_effort" not in (await openai_wire.requests())[-1]
