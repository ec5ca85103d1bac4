"""MistralAIProvider against llmock through the real mistralai SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_mistral import MistralAIProvider, MistralConfig

from roomkit.errors import InvalidContentError, ProviderError
from roomkit.models.ai import AIContext, AIImagePart, AIMessage, AITextPart, AIToolCall
from roomkit_conformance.wire.llm import LLMockWire


def _hello() -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content="hello")])


@pytest.fixture
async def make(mistral_wire: LLMockWire) -> AsyncIterator:
    made: list[MistralAIProvider] = []

    def build(**options: object) -> MistralAIProvider:
        options.setdefault("max_retries", 0)
        provider = MistralAIProvider(
            MistralConfig(api_key="k", server_url=mistral_wire.sdk_root, **options)  # type: ignore[arg-type]
        )
        made.append(provider)
        return provider

    yield build
    for provider in made:
        await provider.close()


async def test_request_shape(make, mistral_wire: LLMockWire) -> None:
    provider = make(model="mistral-small-latest", temperature=0.2, max_tokens=99, safe_prompt=True)
    call = AIToolCall(id="abc123def", name="lookup", arguments={"q": "x"})
    context = AIContext(
        system_prompt="Be brief.",
        messages=[
            AIMessage(role="user", content="find x"),
            AIMessage(role="assistant", content="", tool_calls=[call]),
            AIMessage(role="tool", name="lookup", tool_call_id="abc123def", content="found"),
        ],
    )
    await provider.generate(context)
    body = (await mistral_wire.requests())[-1]
    assert (body["model"], body["temperature"], body["max_tokens"]) == (
        "mistral-small-latest",
        0.2,
        99,
    )
    assert body["safe_prompt"] is True
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["messages"][2]["tool_calls"][0]["function"]["name"] == "lookup"
    assert body["messages"][3]["tool_call_id"] == "abc123def"
    assert body["messages"][3]["name"] == "lookup"


async def test_pixtral_image_parts(make, mistral_wire: LLMockWire) -> None:
    provider = make(model="pixtral-large-latest")
    message = AIMessage(
        role="user",
        content=[AITextPart(text="what"), AIImagePart(url="https://example.com/cat.png")],
    )
    response = await provider.generate(AIContext(messages=[message]))
    assert response.content
    parts = (await mistral_wire.requests())[-1]["messages"][0]["content"]
    assert {"type": "image_url", "image_url": "https://example.com/cat.png"} in parts


async def test_invalid_image_url_is_rejected(make, mistral_wire: LLMockWire) -> None:
    provider = make()
    with pytest.raises(InvalidContentError, match="data: URI"):
        await provider.generate(
            AIContext(messages=[AIMessage(role="user", content=[AIImagePart(url="/tmp/x.png")])])
        )
    assert await mistral_wire.requests() == []


async def test_malformed_tool_arguments_are_a_retryable_error(make, mistral_wire) -> None:
    from roomkit_conformance.suites.ai_provider import WEATHER_TOOL

    await mistral_wire.malformed_tool_arguments()
    with pytest.raises(ProviderError, match="invalid JSON arguments") as info:
        await make().generate(AIContext(messages=_hello().messages, tools=[WEATHER_TOOL]))
    assert info.value.retryable is True
