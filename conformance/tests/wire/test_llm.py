"""The llmock wire fake: subprocess lifecycle, URLs and scripted behaviour."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from roomkit_conformance.wire.llm import LLMockServer


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.fixture(scope="module")
def server():
    with LLMockServer() as running:
        yield running


def test_urls(server: LLMockServer) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server.base_url("openai").endswith("/v1")
    assert server.sdk_root("mistral").endswith("/mistral")
    assert server.base_url("mistral").endswith("/mistral/v1")
    with pytest.raises(ValueError, match="unknown vendor 'cohere'"):
        server.wire("cohere")


async def test_reply_fail_and_journal(server: LLMockServer) -> None:
    wire = server.wire("openai")
    await wire.reset()
    chat = {"model": "gpt-4o", "messages": [{"role": "user", "content": "MARK-1"}]}
    await wire.reply("scripted text")
    status, body = _post(wire.base_url + "/chat/completions", chat)
    assert status == 200
    assert body["choices"][0]["message"]["content"] == "scripted text"
    await wire.fail(503, times=1)
    status, _ = _post(wire.base_url + "/chat/completions", chat)
    assert status == 503
    assert len(await wire.requests()) == 2
    assert "MARK-1" in await wire.last_request_text()
    await wire.reset()
    assert await wire.requests() == []


async def test_faults_are_scoped_to_their_vendor(server: LLMockServer) -> None:
    openai, anthropic = server.wire("openai"), server.wire("anthropic")
    await openai.reset()
    await anthropic.fail(429)
    status, _ = _post(
        openai.base_url + "/chat/completions",
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert status == 200
    assert await anthropic.requests() == []
    await openai.reset()


def test_stop_is_idempotent_and_kills_the_process() -> None:
    server = LLMockServer().start()
    url = server.url
    server.stop()
    server.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/_llmock/scenario", timeout=2)


def test_start_failure_is_reported() -> None:
    with pytest.raises(RuntimeError, match="llmock did not start"):
        LLMockServer(extra_args=["--no-such-option"]).start()
