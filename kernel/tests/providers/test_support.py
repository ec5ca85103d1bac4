"""Helpers shared by AI provider plugins (roomkit.providers.ai.support)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from types import SimpleNamespace

import pytest
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIMessage, AIToolCall, AIUsage
from roomkit.models.room import AITool
from roomkit.providers.ai import support


class TimeoutException(Exception):
    """Named like httpx's timeout, which the helpers recognise by name."""


class RemoteProtocolError(Exception):
    """Named like httpx's broken-connection error."""


class ServerTimeoutError(Exception):
    """Named like aiohttp's timeout."""


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (404, False), (408, True), (409, True), (425, True),
     (429, True), (500, True), (503, True), (529, True)],
)  # fmt: skip
def test_retryable_statuses(status: int, retryable: bool) -> None:
    assert support.is_retryable_status(status) is retryable
    error = support.status_error("acme", status, "bad\n  thing")
    assert error.retryable is retryable
    assert error.status_code == status
    assert error.provider == "acme"
    assert str(error) == f"acme: HTTP {status}: bad thing"


def test_shorten_collapses_whitespace_and_cuts() -> None:
    assert support.shorten("a \n\t b") == "a b"
    assert support.shorten("x" * 300) == "x" * 300
    cut = support.shorten("y" * 301)
    assert len(cut) == 300
    assert cut.endswith("...")
    assert support.shorten("abcdefghij", limit=8) == "abcde..."


def test_timeout_and_connection_errors_are_retryable() -> None:
    timed_out = support.timeout_error("acme", 2.5)
    assert timed_out.retryable
    assert "timed out after 2.5s" in str(timed_out)
    failed = support.connection_error("acme", "refused", phase="failed")
    assert failed.retryable
    assert str(failed) == "acme: connection failed: refused"
    assert str(support.connection_error("acme", "reset")) == "acme: connection lost: reset"


def test_transport_error_classifies_by_class_name() -> None:
    def convert(exc: Exception) -> ProviderError:
        return support.transport_error(exc, provider="acme", timeout=3)

    assert "timed out after 3s" in str(convert(TimeoutException("slow")))
    assert convert(TimeoutError()).retryable
    lost = convert(RemoteProtocolError("peer closed"))
    assert lost.retryable
    assert "connection lost: peer closed" in str(lost)
    assert convert(ConnectionResetError("reset")).retryable  # a ConnectionError subclass
    other = convert(KeyError("boom"))
    assert not other.retryable
    assert str(other) == "acme: KeyError: 'boom'"
    original = ProviderError("acme: as is", provider="acme")
    assert convert(original) is original


def test_transport_error_takes_extra_names() -> None:
    plain = support.transport_error(ServerTimeoutError("x"), provider="g", timeout=1)
    assert not plain.retryable
    extra = support.transport_error(
        ServerTimeoutError("x"),
        provider="g",
        timeout=1,
        timeout_names=support.TIMEOUT_ERROR_NAMES | {"ServerTimeoutError"},
    )
    assert extra.retryable
    assert "timed out" in str(extra)


def test_exception_names_cover_the_mro() -> None:
    assert {"RemoteProtocolError", "Exception", "BaseException"} <= support.exception_names(
        RemoteProtocolError()
    )


def test_translate_errors_converts_and_chains() -> None:
    def convert(exc: Exception) -> ProviderError:
        return ProviderError(f"converted {type(exc).__name__}", provider="acme")

    with (
        pytest.raises(ProviderError, match="converted ValueError") as info,
        support.translate_errors(convert),
    ):
        raise ValueError("vendor")
    assert isinstance(info.value.__cause__, ValueError)

    passthrough = ProviderError("mine", provider="acme")
    with pytest.raises(ProviderError) as kept, support.translate_errors(convert):
        raise passthrough
    assert kept.value is passthrough

    with pytest.raises(KeyboardInterrupt), support.translate_errors(convert):
        raise KeyboardInterrupt


async def test_translate_errors_around_yield_in_an_async_generator() -> None:
    def convert(exc: Exception) -> ProviderError:
        return ProviderError("stream broke", provider="acme", retryable=True)

    async def stream(fail: bool) -> AsyncGenerator[int, None]:
        with support.translate_errors(convert):
            yield 1
            if fail:
                raise OSError("reset")
            yield 2

    assert [i async for i in stream(False)] == [1, 2]
    with pytest.raises(ProviderError, match="stream broke"):
        _ = [i async for i in stream(True)]
    gen = stream(False)
    assert await gen.__anext__() == 1
    await gen.aclose()  # closing early is not an error


def test_ensure_finished() -> None:
    assert support.ensure_finished("acme", "stop") == "stop"
    with pytest.raises(ProviderError, match="stream ended before the model finished") as info:
        support.ensure_finished("acme", None)
    assert info.value.retryable


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, {}),
        ("", {}),
        ("   ", {}),
        ('{"city": "Paris"}', {"city": "Paris"}),
        ({"already": "decoded"}, {"already": "decoded"}),
    ],
)
def test_parse_tool_arguments(raw: object, expected: dict[str, object]) -> None:
    assert support.parse_tool_arguments(raw, tool="t", provider="acme") == expected


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ('{"city": ', "invalid JSON arguments for tool 'weather'"),
        (42, "invalid JSON arguments for tool 'weather'"),
        ("[1, 2]", "must be a JSON object, got list"),
        ('"text"', "must be a JSON object, got str"),
    ],
)
def test_bad_tool_arguments_are_retryable(raw: object, needle: str) -> None:
    with pytest.raises(ProviderError, match=needle) as info:
        support.parse_tool_arguments(raw, tool="weather", provider="acme")
    assert info.value.retryable
    assert info.value.provider == "acme"


def test_require_json_object() -> None:
    assert support.require_json_object({"a": 1}, tool="t", provider="p") == {"a": 1}
    with pytest.raises(ProviderError, match="got NoneType"):
        support.require_json_object(None, tool="t", provider="p")


def test_read_usage() -> None:
    assert support.read_usage(None, "prompt_tokens", "completion_tokens") is None
    usage = SimpleNamespace(prompt_tokens=12, completion_tokens=None)
    assert support.read_usage(usage, "prompt_tokens", "completion_tokens") == AIUsage(
        input_tokens=12, output_tokens=0
    )
    assert support.read_usage(SimpleNamespace(), "a", "b") == AIUsage(
        input_tokens=0, output_tokens=0
    )


def test_check_http_url() -> None:
    assert support.check_http_url(None, "base_url") is None
    assert support.check_http_url("https://x", "base_url") == "https://x"
    with pytest.raises(ValueError, match="base_url must start with http"):
        support.check_http_url("ftp://x", "base_url")


def test_secret_value() -> None:
    assert support.secret_value(None) is None
    assert support.secret_value(SecretStr("sk-1")) == "sk-1"


class AcmeConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return support.check_http_url(value, "base_url")


class OtherConfig(BaseModel):
    name: str = "x"


class Plain(BaseModel):
    pass


def test_resolve_config_builds_from_options_or_takes_the_instance() -> None:
    built = support.resolve_config(AcmeConfig, None, {"api_key": "k"})
    assert isinstance(built, AcmeConfig)
    assert built.api_key is not None
    assert built.api_key.get_secret_value() == "k"
    given = AcmeConfig()
    assert support.resolve_config(AcmeConfig, given, {}) is given
    other = OtherConfig()
    taken: object = support.resolve_config(AcmeConfig, other, {}, (AcmeConfig, OtherConfig))
    assert taken is other


def test_resolve_config_errors() -> None:
    with pytest.raises(ConfigurationError, match=r"either an AcmeConfig .* not both"):
        support.resolve_config(AcmeConfig, AcmeConfig(), {"api_key": "k"})
    with pytest.raises(ConfigurationError, match="expected an AcmeConfig, got OtherConfig"):
        support.resolve_config(AcmeConfig, OtherConfig(), {})
    with pytest.raises(ConfigurationError, match="invalid AcmeConfig"):
        support.resolve_config(AcmeConfig, None, {"base_url": "ftp://x"})
    with pytest.raises(ConfigurationError, match="invalid AcmeConfig"):
        support.resolve_config(AcmeConfig, None, {"unknown": 1})
    with pytest.raises(ConfigurationError, match="expected an OtherConfig, got AcmeConfig"):
        support.resolve_config(AcmeConfig, AcmeConfig(), {}, (OtherConfig,))
    with pytest.raises(ConfigurationError, match="expected a Plain or OtherConfig, got"):
        support.resolve_config(AcmeConfig, AcmeConfig(), {}, (Plain, OtherConfig))


def _context(temperature: float | None = None, max_tokens: int | None = None) -> AIContext:
    return AIContext(
        messages=[AIMessage(role="user", content="hi")],
        temperature=temperature,
        max_tokens=max_tokens,
    )


def test_effective_sampling_prefers_the_context() -> None:
    assert support.effective_sampling(_context(), 0.3, 100) == (0.3, 100)
    assert support.effective_sampling(_context(temperature=0.0, max_tokens=7), 0.3, 100) == (
        0.0,
        7,
    )
    assert support.effective_sampling(_context(), None, None) == (None, None)


def test_function_tools_and_tool_calls_shapes() -> None:
    tool = AITool(name="weather", description="Forecast", parameters={"type": "object"})
    assert support.function_tools([tool]) == [
        {
            "type": "function",
            "function": {
                "name": "weather",
                "description": "Forecast",
                "parameters": {"type": "object"},
            },
        }
    ]
    call = AIToolCall(id="c1", name="weather", arguments={"city": "Paris"})
    encoded = support.function_tool_calls([call])
    assert encoded == [
        {
            "id": "c1",
            "type": "function",
            "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
        }
    ]
    assert support.function_tools([]) == []


def test_append_turn_merges_consecutive_roles() -> None:
    turns: list[dict[str, object]] = []
    support.append_turn(turns, "user", [{"text": "a"}], key="parts")
    support.append_turn(turns, "user", [{"text": "b"}], key="parts")
    support.append_turn(turns, "model", [], key="parts")  # nothing to add
    support.append_turn(turns, "model", [{"text": "c"}], key="parts")
    assert turns == [
        {"role": "user", "parts": [{"text": "a"}, {"text": "b"}]},
        {"role": "model", "parts": [{"text": "c"}]},
    ]
