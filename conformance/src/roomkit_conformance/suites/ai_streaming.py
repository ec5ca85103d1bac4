"""Reasoning and stream deadlines of AI providers, over the scripted wire fake.

``llmock`` (the wire of :class:`~roomkit_conformance.suites.ai_provider.AIProviderSuite`)
returns no reasoning and cannot trickle tokens, so these cases run against
:class:`~roomkit_conformance.wire.scripted.ScriptedLLMServer` in the vendor's dialect.
Subclass :class:`AIStreamingSuite`, name the dialect and build a provider for a URL::

    class TestOpenAIStreaming(AIStreamingSuite):
        vendor = "openai"
        capabilities = {"thinking"}

        def build(self, base_url, **settings):
            return OpenAIAIProvider(api_key="test-key", base_url=base_url, **settings)

``settings`` are :class:`~roomkit.providers.ai.support.AIProviderSettings` fields (``timeout``,
``read_timeout``, ``max_retries``). Capabilities: ``thinking`` (the vendor returns reasoning),
``thinking_signature`` (it signs its reasoning and takes the signature back in the history).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from roomkit.errors import ProviderTimeoutError
from roomkit.models.ai import AIContext, AIMessage, AIThinkingPart, AIToolCall, AIToolCallPart
from roomkit.models.streaming import (
    StreamDone,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
)
from roomkit.providers.ai.base import AIProvider
from roomkit_conformance.base import SuiteBase, requires
from roomkit_conformance.wire.scripted import ScriptedLLMServer, ScriptedReply

__all__ = ["AIStreamingSuite"]

THINKING = "The user asks for the sum; two plus two makes four."
ANSWER = "Two plus two is four."
SIGNATURE = base64.b64encode(b"scripted-signature-42").decode("ascii")


def _ask() -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content="What is 2 + 2?")])


class AIStreamingSuite(SuiteBase):
    """Reasoning (whole and streamed), its round trip, and the overall stream deadline."""

    #: The scripted server's dialect: ``openai``, ``anthropic``, ``mistral`` or ``gemini``.
    vendor: ClassVar[str]
    #: How long a hung-up stream may take to be noticed by the server (a bounded wait).
    settle_seconds: ClassVar[float] = 10.0

    def build(self, base_url: str, **settings: Any) -> AIProvider:
        """A provider for the scripted server at ``base_url`` with these settings."""
        raise NotImplementedError("subclasses build their provider")

    @pytest.fixture
    async def scripted(self) -> AsyncIterator[ScriptedLLMServer]:
        """A scripted server on 127.0.0.1 for one test."""
        async with ScriptedLLMServer() as server:
            yield server

    @pytest.fixture
    async def provider(self, scripted: ScriptedLLMServer) -> AsyncIterator[AIProvider]:
        """A provider with retries off and default time limits."""
        provider = self.build(scripted.base_url(self.vendor), max_retries=0)
        yield provider
        await provider.close()

    # -- reasoning ---------------------------------------------------------------------

    @requires("thinking")
    @pytest.mark.asyncio
    async def test_reasoning_comes_with_the_answer(
        self, provider: AIProvider, scripted: ScriptedLLMServer
    ) -> None:
        scripted.script(ScriptedReply(text=ANSWER, thinking=THINKING, signature=SIGNATURE))
        response = await provider.generate(_ask())
        assert response.content == ANSWER
        assert response.thinking == THINKING
        if "thinking_signature" in self.capabilities:
            assert response.thinking_signature == SIGNATURE

    @requires("thinking")
    @pytest.mark.asyncio
    async def test_reasoning_streams_before_the_answer(
        self, provider: AIProvider, scripted: ScriptedLLMServer
    ) -> None:
        scripted.script(ScriptedReply(text=ANSWER, thinking=THINKING, signature=SIGNATURE))
        events = [e async for e in provider.generate_structured_stream(_ask())]
        kinds = [e.type for e in events]
        thinking = [e for e in events if isinstance(e, StreamThinkingDelta)]
        texts = [e for e in events if isinstance(e, StreamTextDelta)]
        assert len(thinking) >= 2, "reasoning should arrive in pieces"
        assert "".join(e.thinking for e in thinking) == THINKING
        assert "".join(e.text for e in texts) == ANSWER
        assert kinds.index("text_delta") > max(
            i for i, k in enumerate(kinds) if k == "thinking_delta"
        )
        done = events[-1]
        assert isinstance(done, StreamDone)
        assert done.finish_reason
        if "thinking_signature" in self.capabilities:
            assert done.metadata["thinking_signature"] == SIGNATURE

    @requires("thinking")
    @pytest.mark.asyncio
    async def test_reasoning_with_a_tool_call(
        self, provider: AIProvider, scripted: ScriptedLLMServer
    ) -> None:
        reply = ScriptedReply(
            thinking=THINKING, signature=SIGNATURE, tool_calls=[("add", {"a": 2, "b": 2})]
        )
        scripted.script(reply, reply)
        response = await provider.generate(_ask())
        assert response.thinking == THINKING
        assert [(c.name, c.arguments) for c in response.tool_calls] == [("add", {"a": 2, "b": 2})]
        events = [e async for e in provider.generate_structured_stream(_ask())]
        calls = [e for e in events if isinstance(e, StreamToolCall)]
        assert [(c.name, c.arguments) for c in calls] == [("add", {"a": 2, "b": 2})]

    @requires("thinking")
    @pytest.mark.asyncio
    async def test_reasoning_in_the_history(
        self, provider: AIProvider, scripted: ScriptedLLMServer
    ) -> None:
        """Signed reasoning goes back to vendors that check it, and nowhere else."""
        call = AIToolCall(id="call_7", name="add", arguments={"a": 2, "b": 2})
        history = [
            AIMessage(role="user", content="What is 2 + 2?"),
            AIMessage(
                role="assistant",
                content=[
                    AIThinkingPart(thinking=THINKING, signature=SIGNATURE),
                    AIToolCallPart(id=call.id, name=call.name, arguments=call.arguments),
                ],
            ),
            AIMessage(role="tool", content="4", tool_call_id="call_7", name="add"),
        ]
        scripted.script(ScriptedReply(text=ANSWER))
        response = await provider.generate(AIContext(messages=history))
        assert response.content == ANSWER
        sent = scripted.requests[-1]
        assert "call_7" in str(sent.body) or "add" in str(sent.body)
        if "thinking_signature" in self.capabilities:
            assert SIGNATURE in str(sent.body), sent.body
        else:
            assert THINKING not in str(sent.body), "this vendor takes no reasoning back"

    # -- the overall deadline ----------------------------------------------------------

    @pytest.mark.asyncio
    async def test_trickling_stream_ends_at_the_deadline(self, scripted: ScriptedLLMServer) -> None:
        """Tokens that keep coming, each well within the read timeout, cannot keep a stream
        open past ``timeout``: it ends with a typed timeout error naming the deadline."""
        # 150 words, one every 0.1 s: the whole stream needs at least 15 s; the deadline is 1 s.
        scripted.script(ScriptedReply(text="token " * 150, interval=0.1))
        provider = self.build(
            scripted.base_url(self.vendor), timeout=1.0, read_timeout=30.0, max_retries=0
        )
        try:
            with pytest.raises(ProviderTimeoutError) as info:
                async for _ in provider.generate_stream(_ask()):
                    pass
        finally:
            await provider.close()
        assert info.value.setting == "timeout"
        assert info.value.timeout == 1.0
        assert info.value.retryable is True
        assert info.value.provider == provider.name
        await asyncio.wait_for(scripted.hung_up.wait(), self.settle_seconds)
        assert scripted.stats.streams_finished == 0

    @pytest.mark.asyncio
    async def test_structured_stream_has_the_same_deadline(
        self, scripted: ScriptedLLMServer
    ) -> None:
        scripted.script(ScriptedReply(text="token " * 150, interval=0.1))
        provider = self.build(
            scripted.base_url(self.vendor), timeout=1.0, read_timeout=30.0, max_retries=0
        )
        try:
            with pytest.raises(ProviderTimeoutError):
                async for _ in provider.generate_structured_stream(_ask()):
                    pass
        finally:
            await provider.close()
        await asyncio.wait_for(scripted.hung_up.wait(), self.settle_seconds)

    @pytest.mark.asyncio
    async def test_a_stream_within_the_deadline_completes(
        self, provider: AIProvider, scripted: ScriptedLLMServer
    ) -> None:
        scripted.script(ScriptedReply(text="one two three four five", interval=0.01))
        chunks = [c async for c in provider.generate_stream(_ask())]
        assert "".join(c.text_delta for c in chunks) == "one two three four five"
        assert chunks[-1].finish_reason
        assert scripted.stats.streams_finished == 1
