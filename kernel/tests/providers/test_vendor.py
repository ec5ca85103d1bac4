"""VendorAIProvider: deadline, retries, stream handling and redaction, over an in-memory vendor.

The "SDK" here is a small fake with scripted outcomes; the real SDKs run against wire fakes
in the plugin tests.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import Field, SecretStr

from roomkit.errors import ConfigurationError, ProviderError, ProviderTimeoutError
from roomkit.models.ai import AIContext, AIMessage, AIResponse, AIStreamChunk
from roomkit.providers.ai.support import (
    AIProviderSettings,
    StreamReader,
    VendorAIProvider,
    status_error,
    timeout_error,
)

KEY = "sk-fake-0123456789"


class FakeConfig(AIProviderSettings):
    api_key: SecretStr = SecretStr(KEY)
    model: str = Field(default="fake-1", min_length=1)


class VendorFailure(Exception):
    """What the fake SDK raises: an HTTP status and a body."""

    def __init__(self, status: int, body: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body
        self.retry_after = retry_after


class SlowRead(Exception):
    """The fake SDK's read timeout."""


@dataclass
class FakeStream:
    """An SDK stream: scripted items, then either an end or a trickle that never ends."""

    items: list[str]
    trickle: float | None = None
    fail_after: Exception | None = None
    closed: bool = False

    def __aiter__(self) -> AsyncIterator[str]:
        return self._run()

    async def _run(self) -> AsyncIterator[str]:
        for item in self.items:
            yield item
        if self.fail_after is not None:
            raise self.fail_after
        while self.trickle is not None:
            await asyncio.sleep(self.trickle)
            yield "tick "

    async def close(self) -> None:
        self.closed = True


@dataclass
class FakeSDK:
    """Each call takes the next outcome: an exception to raise, a string, or a FakeStream."""

    outcomes: list[Any] = field(default_factory=list)
    calls: int = 0
    hang: asyncio.Event = field(default_factory=asyncio.Event)
    streams: list[FakeStream] = field(default_factory=list)

    async def call(self) -> Any:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome == "hang":
            await self.hang.wait()
        if isinstance(outcome, Exception):
            raise outcome
        if isinstance(outcome, FakeStream):
            self.streams.append(outcome)
        return outcome


class WordReader(StreamReader):
    def feed(self, item: Any) -> Iterable[AIStreamChunk]:
        if item == "<end>":
            self.finish_reason = "stop"
            return []
        return self.text_chunks(text=str(item))


class FakeProvider(VendorAIProvider[FakeConfig, FakeSDK]):
    name = "fake"
    config_model = FakeConfig

    def build_client(self) -> FakeSDK:
        return FakeSDK()

    def build_request(self, context: AIContext) -> dict[str, Any]:
        return {"messages": [m.text for m in context.messages]}

    async def complete(self, request: dict[str, Any]) -> AIResponse:
        return AIResponse(content=str(await self._client.call()), finish_reason="stop")

    async def open_stream(self, request: dict[str, Any]) -> AsyncIterator[Any]:
        stream = await self._client.call()
        assert isinstance(stream, FakeStream)
        return stream

    def stream_reader(self) -> StreamReader:
        return WordReader(self.name)

    def vendor_error(self, exc: Exception) -> ProviderError:
        if isinstance(exc, VendorFailure):
            return status_error(self.name, exc.status, exc.body, retry_after=exc.retry_after)
        if isinstance(exc, SlowRead):
            return timeout_error(self.name, self.config.read_timeout)
        return ProviderError(f"fake: {exc}", provider=self.name)

    async def close_client(self) -> None:
        pass


def _ask() -> AIContext:
    return AIContext(messages=[AIMessage(role="user", content="hi")])


async def _drain(stream: AsyncIterator[AIStreamChunk], into: list[str]) -> None:
    async for chunk in stream:
        into.append(chunk.text_delta)


def make(*outcomes: Any, **settings: Any) -> tuple[FakeProvider, FakeSDK, list[float]]:
    provider = FakeProvider(**settings)
    provider.client.outcomes.extend(outcomes)
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    provider.retry.sleep = sleep
    provider.retry.jitter = lambda: 1.0
    return provider, provider.client, pauses


async def test_keyword_options_and_config_errors() -> None:
    provider, _, _ = make(timeout=9, max_retries=3)
    assert provider.config.timeout == 9
    assert provider.model_name == "fake-1"
    assert provider.supports_structured_streaming is True
    with pytest.raises(ConfigurationError, match="read_timeout"):
        FakeProvider(read_timeout=0)


async def test_retryable_failures_are_retried_with_backoff() -> None:
    provider, sdk, pauses = make(
        VendorFailure(503, "busy"), VendorFailure(429, "slow down"), "third", max_retries=2
    )
    assert (await provider.generate(_ask())).content == "third"
    assert sdk.calls == 3
    assert pauses == [0.5, 1.0]  # retry_backoff doubling (jitter pinned to 100 %)


async def test_retry_after_is_honoured_and_retries_are_bounded() -> None:
    provider, sdk, pauses = make(
        VendorFailure(429, "a", retry_after=2.5), VendorFailure(429, "b"), max_retries=1
    )
    with pytest.raises(ProviderError) as info:
        await provider.generate(_ask())
    assert info.value.status_code == 429
    assert (sdk.calls, pauses) == (2, [2.5])


async def test_client_errors_and_read_timeouts_are_not_retried() -> None:
    provider, sdk, _ = make(VendorFailure(400, "bad request"), max_retries=3)
    with pytest.raises(ProviderError):
        await provider.generate(_ask())
    assert sdk.calls == 1
    provider, sdk, _ = make(SlowRead(), max_retries=3)
    with pytest.raises(ProviderTimeoutError) as info:
        await provider.generate(_ask())
    assert (sdk.calls, info.value.setting) == (1, "read_timeout")


async def test_no_retry_whose_pause_would_outlive_the_deadline() -> None:
    provider, sdk, pauses = make(
        VendorFailure(503, "later", retry_after=120), max_retries=3, timeout=60
    )
    with pytest.raises(ProviderError, match="HTTP 503"):
        await provider.generate(_ask())
    assert (sdk.calls, pauses) == (1, [])


async def test_the_deadline_ends_a_call_that_never_answers() -> None:
    provider, sdk, _ = make("hang", timeout=0.2, read_timeout=30)
    with pytest.raises(ProviderTimeoutError) as info:
        await provider.generate(_ask())
    assert (info.value.setting, info.value.timeout, info.value.retryable) == ("timeout", 0.2, True)
    assert "0.2s deadline" in str(info.value)
    assert sdk.calls == 1


async def test_a_trickling_stream_ends_at_the_deadline_and_is_closed() -> None:
    provider, sdk, _ = make(FakeStream(["a ", "b "], trickle=0.01), timeout=0.3)
    received: list[str] = []
    with pytest.raises(ProviderTimeoutError) as info:
        await _drain(provider.generate_stream(_ask()), received)
    assert info.value.setting == "timeout"
    assert received[:2] == ["a ", "b "]
    assert sdk.streams[0].closed


async def test_a_stream_is_retried_only_before_its_first_chunk() -> None:
    provider, sdk, pauses = make(
        VendorFailure(503, "warming up"), FakeStream(["x ", "<end>"]), max_retries=1
    )
    chunks = [c async for c in provider.generate_stream(_ask())]
    assert [c.text_delta for c in chunks] == ["x ", ""]
    assert chunks[-1].finish_reason == "stop"
    assert (sdk.calls, pauses) == (2, [0.5])

    broken = FakeStream(["x "], fail_after=VendorFailure(502, "gone"))
    provider, sdk, _ = make(broken, FakeStream(["never"]), max_retries=3)
    seen: list[str] = []
    with pytest.raises(ProviderError, match="HTTP 502"):
        await _drain(provider.generate_stream(_ask()), seen)
    assert seen == ["x "]
    assert sdk.calls == 1
    assert broken.closed


async def test_a_truncated_stream_is_an_error() -> None:
    provider, _, _ = make(FakeStream(["cut "]), max_retries=0)
    with pytest.raises(ProviderError, match="ended before the model finished") as info:
        _ = [c async for c in provider.generate_stream(_ask())]
    assert info.value.retryable


async def test_stopping_early_closes_the_vendor_stream() -> None:
    provider, sdk, _ = make(FakeStream(["a ", "b "], trickle=0.01))
    stream = provider.generate_stream(_ask())
    assert (await stream.__anext__()).text_delta == "a "
    await stream.aclose()  # type: ignore[attr-defined]
    assert sdk.streams[0].closed


async def test_secrets_never_reach_error_text_or_tracebacks() -> None:
    header = "Bearer hdr-token-abcdef"
    echo = VendorFailure(401, f"key {KEY} and header {header} are wrong")
    provider, _, _ = make(echo, default_headers={"Authorization": header})
    with pytest.raises(ProviderError) as info:
        await provider.generate(_ask())
    shown = "".join(traceback.format_exception(info.value))
    assert KEY not in shown
    assert "hdr-token-abcdef" not in shown
    assert "key *** and header *** are wrong" in str(info.value)
    assert info.value.__cause__ is None  # the vendor exception quoted the key

    provider, _, _ = make(VendorFailure(500, "plain failure"), max_retries=0)
    with pytest.raises(ProviderError) as plain:
        await provider.generate(_ask())
    assert isinstance(plain.value.__cause__, VendorFailure)  # kept when it leaks nothing
