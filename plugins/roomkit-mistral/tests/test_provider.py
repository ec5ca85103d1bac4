"""MistralAIProvider against llmock through the real mistralai SDK."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from roomkit_mistral import MistralAIProvider, MistralConfig, plugin

from roomkit.errors import InvalidContentError, ProviderError
from roomkit.models.ai import AIContext, AIImagePart, AIMessage, AITextPart, AIToolCall
from roomkit.plugins import load_ref
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


def test_plugin_descriptor_resolves() -> None:
    found: list = []
    plugin.roomkit_register_ai_providers(found.append)
    (descriptor,) = found
    assert descriptor.name == "mistral"
    assert load_ref(descriptor.factory) is MistralAIProvider
    assert load_ref(descriptor.config_model) is MistralConfig
    assert callable(load_ref(descriptor.conformance))
    assert plugin.roomkit_plugin_info().distribution == "roomkit-mistral"


def test_importing_the_package_does_not_import_the_sdk() -> None:
    code = (
        "import sys, roomkit_mistral, roomkit_mistral.plugin, roomkit_mistral.testing;"
        "sys.exit(1 if 'mistralai' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


async def test_conformance_factory_builds_a_working_provider() -> None:
    from roomkit_mistral.testing import conformance_instance

    from roomkit_conformance.suites.ai_provider import wire_for

    async with conformance_instance() as provider:
        wire = wire_for(provider)
        assert wire is not None
        await wire.reply("from the factory")
        assert (await provider.generate(_hello())).content == "from the factory"
