"""AnthropicAIProvider against llmock through the real anthropic SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from roomkit_anthropic import AnthropicAIProvider, AnthropicConfig

from roomkit.errors import InvalidContentError
from roomkit.models.ai import AIContext, AIImagePart, AIMessage, AITextPart, AIToolCall
from roomkit_conformance.wire.llm import LLMockWire


def _hello() -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content="hello")])


@pytest.fixture
async def make(anthropic_wire: LLMockWire) -> AsyncIterator:
    made: list[AnthropicAIProvider] = []

    def build(**options: object) -> AnthropicAIProvider:
        options.setdefault("max_retries", 0)
        provider = AnthropicAIProvider(
            AnthropicConfig(api_key="k", base_url=anthropic_wire.sdk_root, **options)  # type: ignore[arg-type]
        )
        made.append(provider)
        return provider

    yield build
    for provider in made:
        await provider.close()


async def test_request_shape(make, anthropic_wire: LLMockWire) -> None:
    provider = make(max_tokens=300)
    call = AIToolCall(id="toolu_1", name="lookup", arguments={"q": "x"})
    context = AIContext(
        system_prompt="Be brief.",
        messages=[
            AIMessage(role="system", content="Speak French."),
            AIMessage(role="user", content="find x"),
            AIMessage(role="assistant", content="Looking.", tool_calls=[call]),
            AIMessage(role="tool", tool_call_id="toolu_1", content="found"),
            AIMessage(role="user", content="thanks"),
        ],
    )
    await provider.generate(context)
    body = (await anthropic_wire.requests())[-1]
    assert body["system"] == "Be brief.\n\nSpeak French."
    assert body["max_tokens"] == 300
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][1]["content"] == [
        {"type": "text", "text": "Looking."},
        {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": "x"}},
    ]
    assert body["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "found"},
        {"type": "text", "text": "thanks"},
    ]


async def test_image_url_and_base64_blocks(make, anthropic_wire: LLMockWire) -> None:
    provider = make()
    message = AIMessage(
        role="user",
        content=[
            AITextPart(text="compare"),
            AIImagePart(url="https://example.com/a.jpg"),
            AIImagePart(url="data:image/webp;base64,UklGRg=="),
        ],
    )
    await provider.generate(AIContext(messages=[message]))
    blocks = (await anthropic_wire.requests())[-1]["messages"][0]["content"]
    assert blocks[1] == {
        "type": "image",
        "source": {"type": "url", "url": "https://example.com/a.jpg"},
    }
    assert blocks[2]["source"] == {"type": "base64", "media_type": "image/webp", "data": "UklGRg=="}


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("data:image/png,rawbytes", "base64"),
        ("data:image/tiff;base64,AAAA", "not supported"),
        ("ftp://x/y.png", "data: URI"),
    ],
)
async def test_bad_images_are_rejected(make, anthropic_wire, url: str, needle: str) -> None:
    provider = make()
    message = AIMessage(role="user", content=[AIImagePart(url=url)])
    with pytest.raises(InvalidContentError, match=needle):
        await provider.generate(AIContext(messages=[message]))
    assert await anthropic_wire.requests() == []


async def test_stop_reason_and_usage(make, anthropic_wire: LLMockWire) -> None:
    provider = make()
    response = await provider.generate(_hello())
    assert response.finish_reason == "end_turn"
    assert response.usage is not None
    assert response.usage.output_tokens > 0
    chunks = [c async for c in provider.generate_stream(_hello())]
    assert chunks[-1].finish_reason == "end_turn"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.output_tokens > 0


async def test_thinking_budget_turns_extended_thinking_on(make, anthropic_wire) -> None:
    provider = make(thinking_budget=2048, temperature=0.5, max_tokens=500)
    await provider.generate(_hello())
    body = (await anthropic_wire.requests())[-1]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["max_tokens"] == 2548  # the budget comes on top of the answer's tokens
    assert "temperature" not in body  # the API refuses it with thinking
    await provider.generate(AIContext(messages=_hello().messages, thinking_budget=4096))
    assert (await anthropic_wire.requests())[-1]["thinking"]["budget_tokens"] == 4096
