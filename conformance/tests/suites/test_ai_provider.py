"""The AI-provider suite itself: it passes a correct provider's basics and catches leaks.

A deliberately naive provider (raw httpx, no error mapping) runs the suite in a pytest
subprocess under asyncio *strict* mode, as third-party plugin authors may.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

NAIVE_USER = """
import httpx
import pytest
import pytest_asyncio

from roomkit.models.ai import AIResponse
from roomkit.providers.ai.base import AIProvider
from roomkit_conformance.suites.ai_provider import AIProviderSuite
from roomkit_conformance.wire.llm import llmock_server  # noqa: F401


class NaiveProvider(AIProvider):
    name = "naive"

    def __init__(self, base_url):
        self.base_url = base_url
        self.http = httpx.AsyncClient(timeout=1.0)

    async def generate(self, context):
        messages = []
        if context.system_prompt:
            messages.append({"role": "system", "content": context.system_prompt})
        messages += [{"role": m.role, "content": m.text} for m in context.messages]
        response = await self.http.post(
            self.base_url + "/chat/completions", json={"model": "gpt-4o", "messages": messages}
        )
        response.raise_for_status()
        message = response.json()["choices"][0]["message"]
        return AIResponse(content=message.get("content") or "", finish_reason="stop")

    async def close(self):
        await self.http.aclose()


class TestNaive(AIProviderSuite):
    @pytest_asyncio.fixture
    async def wire(self, llmock_server):
        wire = llmock_server.wire("openai")
        await wire.reset()
        yield wire
        await wire.reset()

    @pytest_asyncio.fixture
    async def component(self, wire):
        provider = NaiveProvider(wire.base_url)
        yield provider
        await provider.close()
"""


def _outcomes(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "test_naive.py").write_text(NAIVE_USER)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(tmp_path),
            "-c",
            str(tmp_path / "pytest.ini"),
            "-p",
            "no:cacheprovider",
            "-v",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    outcomes = {}
    pattern = r"::(\w+(?:\[\w+\])?) (PASSED|FAILED|SKIPPED|ERROR)"
    for name, status in re.findall(pattern, result.stdout):
        outcomes[name] = status
    assert outcomes, result.stdout + result.stderr
    return outcomes


def test_suite_separates_a_naive_provider(tmp_path: Path) -> None:
    outcomes = _outcomes(tmp_path)
    for passing in (
        "test_is_an_ai_provider",
        "test_generate_returns_scripted_text",
        "test_system_prompt_and_history_reach_the_wire",
        "test_system_messages_in_history_are_sent",
    ):
        assert outcomes.get(passing) == "PASSED", (passing, outcomes)
    for failing in (
        "test_rate_limit_is_retryable",
        "test_server_error_is_retryable[500]",
        "test_client_error_is_not_retryable[400]",
        "test_timeout_is_retryable",
    ):
        assert outcomes.get(failing) == "FAILED", (failing, outcomes)
    for gated in (
        "test_stream_yields_text_deltas",
        "test_tool_call_is_parsed",
        "test_image_input_reaches_the_wire",
    ):
        assert outcomes.get(gated) == "SKIPPED", (gated, outcomes)
