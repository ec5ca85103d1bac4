"""Azure OpenAI: the real SDK against a local server speaking Azure's URL and auth scheme."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer
from roomkit_openai import AzureAIConfig, AzureOpenAIAIProvider

from roomkit.errors import ProviderError
from roomkit.models.ai import AIContext, AIMessage

_PATH = "/openai/deployments/gpt4o-prod/chat/completions"


def _completion(text: str) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": text},
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def _provider(httpserver: HTTPServer, **options: object) -> AzureOpenAIAIProvider:
    return AzureOpenAIAIProvider(
        AzureAIConfig(
            azure_endpoint=httpserver.url_for("/"),
            azure_deployment="gpt4o-prod",
            api_version="2024-10-21",
            api_key="azure-key",
            max_retries=0,
            timeout=2.0,
            **options,  # type: ignore[arg-type]
        )
    )


def _hello() -> AIContext:
    return AIContext(system_prompt="be nice", messages=[AIMessage(role="user", content="hi")])


async def test_azure_url_version_and_key(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        _PATH,
        method="POST",
        query_string={"api-version": "2024-10-21"},
        headers={"api-key": "azure-key"},
    ).respond_with_json(_completion("Hello from Azure"))
    provider = _provider(httpserver)
    try:
        response = await provider.generate(_hello())
    finally:
        await provider.close()
    assert response.content == "Hello from Azure"
    assert response.usage is not None
    assert response.usage.input_tokens == 3
    request, _ = httpserver.log[-1]
    assert json.loads(request.data)["messages"][0] == {"role": "system", "content": "be nice"}


async def test_azure_streaming(httpserver: HTTPServer) -> None:
    def chunk(delta: dict, finish: str | None = None) -> str:
        body = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-4o",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(body)}\n\n"

    sse = (
        chunk({"role": "assistant", "content": "Hel"})
        + chunk({"content": "lo"})
        + chunk({}, "stop")
        + "data: [DONE]\n\n"
    )
    httpserver.expect_request(_PATH, method="POST").respond_with_data(
        sse, content_type="text/event-stream"
    )
    provider = _provider(httpserver, include_stream_usage=False)  # the 0.6.7 spelling
    try:
        chunks = [c async for c in provider.generate_stream(_hello())]
    finally:
        await provider.close()
    assert "".join(c.text_delta for c in chunks) == "Hello"
    assert chunks[-1].finish_reason == "stop"
    assert "stream_options" not in json.loads(httpserver.log[-1][0].data)


async def test_azure_errors_name_the_provider(httpserver: HTTPServer) -> None:
    httpserver.expect_request(_PATH, method="POST").respond_with_json(
        {"error": {"code": "429", "message": "Too many requests"}}, status=429
    )
    provider = _provider(httpserver)
    try:
        with pytest.raises(ProviderError) as info:
            await provider.generate(_hello())
    finally:
        await provider.close()
    assert (info.value.provider, info.value.status_code, info.value.retryable) == (
        "azure-openai",
        429,
        True,
    )
