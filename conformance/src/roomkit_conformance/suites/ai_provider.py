"""The AI-provider conformance suite.

Subclass :class:`AIProviderSuite` and provide two fixtures:

* ``component`` -- a ready :class:`~roomkit.providers.ai.base.AIProvider` pointed at a wire fake,
  built with **retries disabled** and a request timeout of :attr:`AIProviderSuite.timeout_seconds`;
* ``wire`` -- an :class:`AIWire` that scripts the fake's replies and faults for that provider
  (``roomkit_conformance.wire.llm.LLMockWire`` is one).

::

    class TestOpenAI(AIProviderSuite):
        capabilities = {"streaming", "tools", "vision"}

        @pytest.fixture
        async def wire(self, llmock_server):
            wire = llmock_server.wire("openai")
            await wire.reset()
            yield wire
            await wire.reset()

        @pytest.fixture
        async def component(self, wire):
            provider = OpenAIAIProvider(OpenAIConfig(
                api_key="test", base_url=wire.base_url, timeout=1.0, max_retries=0))
            yield provider
            await provider.close()

A conformance factory that builds its own wire (for ``roomkit conformance``) calls
:func:`register_wire` so that the default ``wire`` fixture finds it.
"""

from __future__ import annotations

import asyncio
import base64
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from roomkit.errors import ProviderError, ProviderTimeoutError
from roomkit.models.ai import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIResponse,
    AIStreamChunk,
    AITextPart,
    AIToolCall,
)
from roomkit.models.room import AITool
from roomkit.models.streaming import StreamDone, StreamTextDelta, StreamToolCall
from roomkit.providers.ai.base import AIProvider
from roomkit.providers.ai.support import AIProviderSettings, secrets_of
from roomkit_conformance.base import SuiteBase, requires
from roomkit_conformance.suites.ai_plugin import AIPluginSuite
from roomkit_conformance.suites.ai_wire import (
    SUITE_TIMEOUT,
    AIWire,
    llmock_instance,
    register_wire,
    wire_for,
)

__all__ = [
    "SUITE_TIMEOUT",
    "WEATHER_TOOL",
    "AIPluginSuite",
    "AIProviderSuite",
    "AIWire",
    "llmock_instance",
    "register_wire",
    "wire_for",
]

# A valid 1x1 PNG: a real image keeps vendors that sniff content honest.
_PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
    "RU5ErkJggg=="
)

WEATHER_TOOL = AITool(
    name="get_weather",
    description="Current weather for a city",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"],
    },
)


def _text_context(text: str, **kwargs: Any) -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content=text)], **kwargs)


async def _collect(stream: AsyncIterator[AIStreamChunk]) -> list[AIStreamChunk]:
    return [chunk async for chunk in stream]


@asynccontextmanager
async def _rebuilt(component: AIProvider, **changes: Any) -> AsyncIterator[AIProvider]:
    """A provider of ``component``'s type whose settings differ by ``changes``.

    Skips the test for providers whose config is not an ``AIProviderSettings``.
    """
    config = getattr(component, "config", None)
    if not isinstance(config, AIProviderSettings):
        pytest.skip("the component has no AIProviderSettings config to vary")
    changed = type(config).model_validate({**config.model_dump(), **changes})
    provider: AIProvider = type(component)(changed)  # type: ignore[call-arg]
    try:
        yield provider
    finally:
        await provider.close()


def _secrets(component: AIProvider) -> list[str]:
    config = getattr(component, "config", None)
    return secrets_of(config) if isinstance(config, BaseModel) else []


def _other_tasks(before: set[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not current and t not in before and not t.done()}


async def _settle(before: set[asyncio.Task[Any]], budget: float = 2.0) -> set[asyncio.Task[Any]]:
    """Let finished tasks unwind; return the tasks started since ``before`` still running."""
    deadline = time.monotonic() + budget
    leaked = _other_tasks(before)
    while leaked and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        leaked = _other_tasks(before)
    return leaked


class AIProviderSuite(SuiteBase):
    """Conformance tests every :class:`AIProvider` plugin must pass.

    Capabilities: ``streaming``, ``tools``, ``vision``.
    """

    #: The request timeout the ``component`` fixture configures (seconds).
    timeout_seconds: ClassVar[float] = 1.0
    #: How long the wire holds a response in the timeout tests; must exceed the timeout.
    hang_seconds: ClassVar[float] = 8.0

    @pytest.fixture
    def wire(self, component: AIProvider) -> AIWire:
        """Default: the wire a conformance factory registered; override it in your subclass."""
        found = wire_for(component)
        if found is None:
            pytest.skip("no wire fake: override the `wire` fixture or call register_wire()")
        return found

    # -- text generation ---------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_is_an_ai_provider(self, component: AIProvider) -> None:
        assert isinstance(component, AIProvider)
        assert component.name
        assert component.name != "ai"
        assert isinstance(component.model_name, str)
        assert component.model_name
        for flag in ("streaming", "tools", "vision"):
            if flag in self.capabilities:
                assert getattr(component, f"supports_{flag}") is True, f"supports_{flag}"

    @pytest.mark.asyncio
    async def test_generate_returns_scripted_text(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        await wire.reply("The answer from the wire is 42.")
        response = await component.generate(_text_context("What is the answer?"))
        assert isinstance(response, AIResponse)
        assert response.content == "The answer from the wire is 42."
        assert response.tool_calls == []
        assert response.finish_reason
        if response.usage is not None:
            assert response.usage.input_tokens >= 0
            assert response.usage.output_tokens >= 0

    @pytest.mark.asyncio
    async def test_system_prompt_and_history_reach_the_wire(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        context = AIContext(
            system_prompt="SYSTEM-MARKER-5e1 be brief",
            temperature=0.3,
            max_tokens=64,
            messages=[
                AIMessage(role="user", content="USER-MARKER-one"),
                AIMessage(role="assistant", content="ASSISTANT-MARKER-two"),
                AIMessage(role="user", content="USER-MARKER-three"),
            ],
        )
        await component.generate(context)
        sent = await wire.last_request_text()
        positions = [
            sent.find(marker)
            for marker in ("USER-MARKER-one", "ASSISTANT-MARKER-two", "USER-MARKER-three")
        ]
        assert "SYSTEM-MARKER-5e1" in sent
        assert -1 not in positions, sent
        assert positions == sorted(positions), sent

    @pytest.mark.asyncio
    async def test_system_messages_in_history_are_sent(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        context = AIContext(
            messages=[
                AIMessage(role="system", content="INLINE-SYSTEM-MARKER"),
                AIMessage(role="user", content="hello"),
            ]
        )
        await component.generate(context)
        assert "INLINE-SYSTEM-MARKER" in await wire.last_request_text()

    # -- streaming ---------------------------------------------------------------------

    @requires("streaming")
    @pytest.mark.asyncio
    async def test_stream_yields_text_deltas(self, component: AIProvider, wire: AIWire) -> None:
        text = "Streaming works across several separate chunks of text."
        await wire.reply(text)
        chunks = await _collect(component.generate_stream(_text_context("Stream please")))
        assert all(isinstance(c, AIStreamChunk) for c in chunks)
        assert len([c for c in chunks if c.text_delta]) >= 2, "expected several text deltas"
        assert "".join(c.text_delta for c in chunks) == text
        assert chunks[-1].finish_reason

    @requires("streaming")
    @pytest.mark.asyncio
    async def test_stream_stopped_early_leaves_no_task(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        before = set(asyncio.all_tasks())
        await wire.reply("one two three four five six seven eight nine ten")
        stream = component.generate_stream(_text_context("Stream please"))
        async for chunk in stream:
            if chunk.text_delta:
                break
        await stream.aclose()  # type: ignore[attr-defined]
        assert not await _settle(before)
        await wire.reply("still usable")
        assert (await component.generate(_text_context("again"))).content == "still usable"

    @pytest.mark.asyncio
    async def test_structured_stream_ends_with_done(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        """Every provider yields typed stream events (streaming or not): text, then done."""
        text = "Structured events carry this sentence."
        await wire.reply(text)
        events = [e async for e in component.generate_structured_stream(_text_context("Go"))]
        assert isinstance(events[-1], StreamDone)
        assert events[-1].finish_reason
        assert not any(isinstance(e, StreamDone) for e in events[:-1])
        assert "".join(e.text for e in events if isinstance(e, StreamTextDelta)) == text
        assert all(isinstance(v, int) for v in events[-1].usage.values())

    @requires("streaming")
    @pytest.mark.asyncio
    async def test_stalled_stream_ends_with_a_timeout_error(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        """A stream that stops sending must end with a typed, retryable timeout error."""
        stall = getattr(wire, "stall_stream", None)
        if stall is None:
            pytest.skip("the wire cannot stall a stream")
        await wire.reply("a long answer whose stream goes quiet after a few chunks of text")
        await stall(after_chunks=2, seconds=self.hang_seconds)
        started = time.monotonic()
        with pytest.raises(ProviderTimeoutError) as info:
            await _collect(component.generate_stream(_text_context("hello")))
        assert time.monotonic() - started < self.hang_seconds, "waited for the server"
        assert info.value.retryable is True
        assert info.value.provider == component.name

    # -- tools -------------------------------------------------------------------------

    @requires("tools")
    @pytest.mark.asyncio
    async def test_tool_call_is_parsed(self, component: AIProvider, wire: AIWire) -> None:
        await wire.reply(tool_calls=[("get_weather", {"city": "Paris", "days": 3})])
        response = await component.generate(
            _text_context("Weather in Paris?", tools=[WEATHER_TOOL])
        )
        assert len(response.tool_calls) == 1
        call = response.tool_calls[0]
        assert isinstance(call, AIToolCall)
        assert call.name == "get_weather"
        assert call.arguments == {"city": "Paris", "days": 3}
        assert call.id
        sent = await wire.last_request_text()
        assert "get_weather" in sent
        assert "Current weather for a city" in sent

    @requires("tools")
    @pytest.mark.asyncio
    async def test_several_tool_calls_in_one_turn(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        await wire.reply(
            tool_calls=[("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Oslo"})]
        )
        response = await component.generate(_text_context("Two cities", tools=[WEATHER_TOOL]))
        assert [c.arguments["city"] for c in response.tool_calls] == ["Paris", "Oslo"]
        assert len({c.id for c in response.tool_calls}) == 2

    @requires("tools", "streaming")
    @pytest.mark.asyncio
    async def test_stream_assembles_tool_calls(self, component: AIProvider, wire: AIWire) -> None:
        await wire.reply(tool_calls=[("get_weather", {"city": "Lyon", "days": 2})])
        chunks = await _collect(
            component.generate_stream(_text_context("Weather?", tools=[WEATHER_TOOL]))
        )
        calls = [call for chunk in chunks for call in chunk.tool_calls]
        assert [(c.name, c.arguments) for c in calls] == [
            ("get_weather", {"city": "Lyon", "days": 2})
        ]
        assert chunks[-1].finish_reason

    @requires("tools")
    @pytest.mark.asyncio
    async def test_structured_stream_carries_tool_calls(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        await wire.reply(tool_calls=[("get_weather", {"city": "Nice"})])
        context = _text_context("Weather?", tools=[WEATHER_TOOL])
        events = [e async for e in component.generate_structured_stream(context)]
        calls = [e for e in events if isinstance(e, StreamToolCall)]
        assert [(c.name, c.arguments) for c in calls] == [("get_weather", {"city": "Nice"})]
        assert calls[0].id
        assert isinstance(events[-1], StreamDone)

    @requires("tools")
    @pytest.mark.asyncio
    async def test_tool_result_round_trip(self, component: AIProvider, wire: AIWire) -> None:
        call = AIToolCall(id="call_roundtrip_1", name="get_weather", arguments={"city": "Rome"})
        context = AIContext(
            tools=[WEATHER_TOOL],
            messages=[
                AIMessage(role="user", content="Weather in Rome?"),
                AIMessage(role="assistant", content="", tool_calls=[call]),
                AIMessage(
                    role="tool",
                    name="get_weather",
                    tool_call_id="call_roundtrip_1",
                    content="TOOL-RESULT-MARKER sunny 24C",
                ),
            ],
        )
        await wire.reply("It is sunny in Rome.")
        response = await component.generate(context)
        assert response.content == "It is sunny in Rome."
        sent = await wire.last_request_text()
        assert "TOOL-RESULT-MARKER sunny 24C" in sent
        assert "Rome" in sent
        assert "get_weather" in sent

    @requires("tools")
    @pytest.mark.asyncio
    async def test_malformed_tool_arguments_never_leak(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        """Invalid JSON arguments surface as a ProviderError, never as a raw SDK error.

        Wires that carry arguments as structured JSON cannot be malformed; there the provider
        must still hand back a dict.
        """
        await wire.malformed_tool_arguments()
        error: ProviderError | None = None
        response: AIResponse | None = None
        try:
            response = await component.generate(_text_context("Weather?", tools=[WEATHER_TOOL]))
        except ProviderError as exc:
            error = exc
        if error is not None:
            assert error.provider == component.name
        else:
            assert response is not None
            assert all(isinstance(c.arguments, dict) for c in response.tool_calls)

    # -- vision ------------------------------------------------------------------------

    @requires("vision")
    @pytest.mark.asyncio
    async def test_image_input_reaches_the_wire(self, component: AIProvider, wire: AIWire) -> None:
        message = AIMessage(
            role="user",
            content=[
                AITextPart(text="VISION-MARKER what is in this picture?"),
                AIImagePart(url=f"data:image/png;base64,{_PNG_B64}", mime_type="image/png"),
            ],
        )
        response = await component.generate(AIContext(messages=[message]))
        assert response.content
        sent = await wire.last_request_text()
        assert "VISION-MARKER" in sent
        assert _PNG_B64.rstrip("=")[:40] in sent
        assert base64.b64decode(_PNG_B64).startswith(b"\x89PNG")

    # -- error mapping -----------------------------------------------------------------

    async def _expect_error(self, component: AIProvider) -> ProviderError:
        """The :class:`ProviderError` of a ``generate`` call that must fail."""
        with pytest.raises(ProviderError) as info:
            await component.generate(_text_context("hello"))
        assert info.value.provider == component.name
        return info.value

    @pytest.mark.asyncio
    async def test_rate_limit_is_retryable(self, component: AIProvider, wire: AIWire) -> None:
        await wire.fail(429, retry_after=0)
        error = await self._expect_error(component)
        assert error.retryable is True
        assert error.status_code == 429

    @pytest.mark.parametrize("status", [500, 503])
    @pytest.mark.asyncio
    async def test_server_error_is_retryable(
        self, component: AIProvider, wire: AIWire, status: int
    ) -> None:
        await wire.fail(status)
        error = await self._expect_error(component)
        assert error.retryable is True
        assert error.status_code == status

    @pytest.mark.parametrize("status", [400, 401])
    @pytest.mark.asyncio
    async def test_client_error_is_not_retryable(
        self, component: AIProvider, wire: AIWire, status: int
    ) -> None:
        await wire.fail(status)
        error = await self._expect_error(component)
        assert error.retryable is False
        assert error.status_code == status

    @pytest.mark.asyncio
    async def test_timeout_is_retryable(self, component: AIProvider, wire: AIWire) -> None:
        await wire.delay(self.hang_seconds)
        started = time.monotonic()
        error = await self._expect_error(component)
        elapsed = time.monotonic() - started
        assert error.retryable is True
        assert error.status_code is None
        assert elapsed < self.hang_seconds, "the provider waited for the server, not its timeout"

    @requires("streaming")
    @pytest.mark.asyncio
    async def test_stream_http_error_is_provider_error(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        await wire.fail(503)
        with pytest.raises(ProviderError) as info:
            await _collect(component.generate_stream(_text_context("hello")))
        assert info.value.retryable is True
        assert info.value.status_code == 503

    @requires("streaming")
    @pytest.mark.asyncio
    async def test_dropped_stream_is_provider_error(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        await wire.reply("a long answer that will never arrive in full over this stream")
        await wire.drop_stream(after_chunks=2)
        with pytest.raises(ProviderError) as info:
            await _collect(component.generate_stream(_text_context("hello")))
        assert info.value.retryable is True
        assert info.value.provider == component.name

    @requires("streaming")
    @pytest.mark.asyncio
    async def test_truncated_stream_is_provider_error(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        """A stream that ends cleanly but without a finish reason is not a full answer."""
        await wire.reply("a long answer that stops early without any finish reason at all")
        await wire.truncate_stream(after_chunks=2)
        with pytest.raises(ProviderError) as info:
            await _collect(component.generate_stream(_text_context("hello")))
        assert info.value.retryable is True

    # -- retries and time limits (providers with AIProviderSettings configs) -------------

    @pytest.mark.asyncio
    async def test_retries_recover_within_max_retries(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        async with _rebuilt(component, max_retries=2, retry_backoff=0.0) as provider:
            await wire.fail(503, times=2, retry_after=0)
            await wire.reply("third time lucky")
            assert (await provider.generate(_text_context("hello"))).content == "third time lucky"
        assert len(await wire.requests()) == 3

    @pytest.mark.asyncio
    async def test_retries_are_bounded(self, component: AIProvider, wire: AIWire) -> None:
        async with _rebuilt(component, max_retries=1, retry_backoff=0.0) as provider:
            await wire.fail(429, retry_after=0)
            error = await self._expect_error(provider)
        assert (error.status_code, error.retryable) == (429, True)
        assert len(await wire.requests()) == 2

    @pytest.mark.asyncio
    async def test_client_errors_are_not_retried(self, component: AIProvider, wire: AIWire) -> None:
        async with _rebuilt(component, max_retries=3, retry_backoff=0.0) as provider:
            await wire.fail(400)
            error = await self._expect_error(provider)
        assert error.status_code == 400
        assert len(await wire.requests()) == 1

    @pytest.mark.asyncio
    async def test_no_retry_that_would_outlive_the_deadline(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        """A ``Retry-After`` longer than the time left means failing now, not waiting."""
        async with _rebuilt(component, max_retries=3, timeout=self.hang_seconds) as provider:
            await wire.fail(503, retry_after=self.hang_seconds * 2)
            started = time.monotonic()
            error = await self._expect_error(provider)
        assert time.monotonic() - started < self.hang_seconds
        assert error.status_code == 503
        assert len(await wire.requests()) == 1

    @pytest.mark.asyncio
    async def test_a_silent_server_is_a_read_timeout_not_retried(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        options = {"max_retries": 2, "read_timeout": self.timeout_seconds, "timeout": 60.0}
        async with _rebuilt(component, **options) as provider:
            await wire.delay(self.hang_seconds)
            started = time.monotonic()
            with pytest.raises(ProviderTimeoutError) as info:
                await provider.generate(_text_context("hello"))
        assert time.monotonic() - started < self.hang_seconds
        assert info.value.setting == "read_timeout"
        assert "read_timeout" in str(info.value)

    # -- secrets -----------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_error_text_never_carries_a_credential(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        """A 401 body that echoes the API key must not put it in the error or its traceback."""
        secrets = [s for s in _secrets(component) if len(s) >= 6]
        if not secrets:
            pytest.skip("the component exposes no pydantic config with secrets")
        await wire.fail(401, message=f"Incorrect API key provided: {secrets[0]}. Check it.")
        error = await self._expect_error(component)
        assert error.status_code == 401
        shown = "".join(traceback.format_exception(error))
        assert "Incorrect API key provided" in str(error)
        assert secrets[0] not in shown

    @pytest.mark.asyncio
    async def test_config_hides_credentials_and_headers(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        """Keys and ``default_headers`` stay out of reprs, dumps and echoed error text."""
        config = getattr(component, "config", None)
        if not isinstance(config, BaseModel):
            pytest.skip("the component exposes no pydantic config")
        for secret in (s for s in secrets_of(config) if len(s) >= 6):
            for shown in (repr(config), str(config), config.model_dump_json()):
                assert secret not in shown
        if not isinstance(config, AIProviderSettings):
            return
        header = "Bearer hdr-secret-8c1e0f"
        async with _rebuilt(component, default_headers={"Authorization": header}) as provider:
            with_headers = provider.config  # type: ignore[attr-defined]
            for shown in (repr(with_headers), str(with_headers), with_headers.model_dump_json()):
                assert "hdr-secret-8c1e0f" not in shown
            await wire.fail(401, message=f"bad header {header}")
            error = await self._expect_error(provider)
            assert "hdr-secret-8c1e0f" not in "".join(traceback.format_exception(error))

    # -- cancellation ------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_cancellation_mid_call_leaves_no_task(
        self, component: AIProvider, wire: AIWire
    ) -> None:
        before = set(asyncio.all_tasks())
        await wire.delay(self.hang_seconds, times=1)
        task = asyncio.create_task(component.generate(_text_context("hello")))
        await asyncio.sleep(0.3)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not await _settle(before)
        await wire.reset()
        await wire.reply("after the cancellation")
        assert (await component.generate(_text_context("again"))).content == (
            "after the cancellation"
        )
