"""GeminiAIProvider against llmock through the real google-genai SDK."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest
from roomkit_gemini import GeminiAIProvider, GeminiConfig

from roomkit.errors import InvalidContentError
from roomkit.models.ai import AIContext, AIImagePart, AIMessage, AITextPart, AIToolCall
from roomkit_conformance.wire.llm import LLMockWire


def _hello() -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content="hello")])


@pytest.fixture
async def make(gemini_wire: LLMockWire) -> AsyncIterator:
    made: list[GeminiAIProvider] = []

    def build(**options: object) -> GeminiAIProvider:
        options.setdefault("max_retries", 0)
        options.setdefault("retry_backoff", 0.01)
        provider = GeminiAIProvider(
            GeminiConfig(api_key="k", base_url=gemini_wire.sdk_root, **options)  # type: ignore[arg-type]
        )
        made.append(provider)
        return provider

    yield build
    for provider in made:
        await provider.close()


async def test_request_shape(make, gemini_wire: LLMockWire) -> None:
    provider = make(temperature=0.4, max_tokens=77)
    call = AIToolCall(id="c1", name="lookup", arguments={"q": "x"})
    context = AIContext(
        system_prompt="Be brief.",
        messages=[
            AIMessage(role="system", content="Answer in French."),
            AIMessage(role="user", content="find x"),
            AIMessage(role="assistant", content="", tool_calls=[call]),
            AIMessage(role="tool", tool_call_id="c1", content="found"),
        ],
    )
    await provider.generate(context)
    body = (await gemini_wire.requests())[-1]
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    model_part = body["contents"][1]["parts"][0]
    assert model_part["functionCall"]["name"] == "lookup"
    assert model_part["functionCall"]["args"] == {"q": "x"}
    response = body["contents"][2]["parts"][0]["functionResponse"]
    assert response["name"] == "lookup"
    assert response["response"] == {"result": "found"}
    assert body["systemInstruction"]["parts"][0]["text"] == "Be brief.\n\nAnswer in French."
    assert body["generationConfig"]["temperature"] == 0.4
    assert body["generationConfig"]["maxOutputTokens"] == 77


async def test_image_parts(make, gemini_wire: LLMockWire) -> None:
    provider = make()
    message = AIMessage(
        role="user",
        content=[
            AITextPart(text="compare"),
            AIImagePart(url="data:image/jpeg;base64,/9j/4AAQ"),
            AIImagePart(url="https://example.com/photo.png"),
        ],
    )
    await provider.generate(AIContext(messages=[message]))
    parts = (await gemini_wire.requests())[-1]["contents"][0]["parts"]
    # google-genai sends bytes as URL-safe base64
    assert base64.urlsafe_b64decode(parts[1]["inlineData"]["data"]) == b"\xff\xd8\xff\xe0\x00\x10"
    inline = parts[1]["inlineData"]
    assert inline.get("mimeType", inline.get("mime_type")) == "image/jpeg"
    # google-genai keeps proto field names inside blobs; the API accepts both spellings
    file_data = {k.replace("_", "").lower(): v for k, v in parts[2]["fileData"].items()}
    assert file_data == {"fileuri": "https://example.com/photo.png", "mimetype": "image/png"}


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("data:image/png;base64,@@@", "invalid base64"),
        ("data:image/png,raw", "base64"),
        ("https://example.com/no-extension", "mime_type"),
        ("file:///etc/passwd", "data: URI"),
    ],
)
async def test_bad_images_are_rejected(make, gemini_wire, url: str, needle: str) -> None:
    message = AIMessage(role="user", content=[AIImagePart(url=url)])
    with pytest.raises(InvalidContentError, match=needle):
        await make().generate(AIContext(messages=[message]))
    assert await gemini_wire.requests() == []


async def test_tool_result_needs_a_name(make) -> None:
    context = AIContext(messages=[AIMessage(role="tool", tool_call_id="unknown", content="x")])
    with pytest.raises(InvalidContentError, match="tool name"):
        await make().generate(context)


async def test_thinking_budget_asks_for_thought_summaries(make, gemini_wire) -> None:
    await make(thinking_budget=512).generate(_hello())
    body = (await gemini_wire.requests())[-1]
    # google-genai writes this object's fields in snake_case (the API reads either spelling).
    sent = body["generationConfig"]["thinkingConfig"]
    assert {k.replace("_", "").lower(): v for k, v in sent.items()} == {
        "thinkingbudget": 512,
        "includethoughts": True,
    }
