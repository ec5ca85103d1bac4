"""The Chat Completions format, history normalisation, secrets and time-limit helpers."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from roomkit.errors import ConfigurationError, InvalidContentError, ProviderError
from roomkit.models.ai import (
    AIContext,
    AIImagePart,
    AIMessage,
    AITextPart,
    AIThinkingPart,
    AIToolCall,
    AIToolCallPart,
    AIToolResultPart,
)
from roomkit.models.room import AITool
from roomkit.providers.ai import support

CALL = AIToolCall(id="c1", name="lookup", arguments={"q": "x"})
TOOL = AITool(name="lookup", description="Find things", parameters={"type": "object"})


def test_canonical_messages_accept_tool_parts() -> None:
    history = [
        AIMessage(role="user", content="find x"),
        AIMessage(
            role="assistant",
            content=[
                AIThinkingPart(thinking="need lookup", signature="s"),
                AIToolCallPart(id="c1", name="lookup", arguments={"q": "x"}),
            ],
        ),
        AIMessage(
            role="tool", content=[AIToolResultPart(tool_call_id="c1", name="lookup", result="42")]
        ),
    ]
    out = support.canonical_messages(history)
    assert out[0] is history[0]
    assert out[1].tool_calls == [CALL]
    assert support.thinking_parts(out[1]) == [AIThinkingPart(thinking="need lookup", signature="s")]
    assert (out[2].role, out[2].tool_call_id, out[2].name, out[2].text) == (
        "tool",
        "c1",
        "lookup",
        "42",
    )
    assert len(out) == 3


def test_openai_dialect() -> None:
    fmt = support.ChatCompletionsFormat(
        image_detail="low", max_tokens_param="max_completion_tokens"
    )
    context = AIContext(
        system_prompt="be brief",
        max_tokens=5,
        tools=[TOOL],
        messages=[
            AIMessage(
                role="user",
                name="ann",
                content=[AITextPart(text="see"), AIImagePart(url="https://x/y.png")],
            ),
            AIMessage(
                role="assistant",
                content=[AIThinkingPart(thinking="SECRET-REASONING"), AITextPart(text="")],
                tool_calls=[CALL],
            ),
            AIMessage(role="tool", content="42", tool_call_id="c1", name="lookup"),
        ],
    )
    request = fmt.request(context, model="m", temperature=0.2, max_tokens=99)
    assert request["max_completion_tokens"] == 5
    assert request["temperature"] == 0.2
    messages = request["messages"]
    assert messages[0] == {"role": "system", "content": "be brief"}
    assert messages[1]["name"] == "ann"
    assert messages[1]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "https://x/y.png", "detail": "low"},
    }
    assert messages[2]["content"] is None
    assert messages[2]["tool_calls"][0]["function"]["arguments"] == '{"q": "x"}'
    assert messages[3] == {"role": "tool", "tool_call_id": "c1", "content": "42"}
    assert "SECRET-REASONING" not in str(request)
    assert request["tools"][0]["function"]["name"] == "lookup"


def test_mistral_dialect_and_bad_input() -> None:
    fmt = support.ChatCompletionsFormat(
        image_detail=None, name_tool_results=True, name_users=False, empty_assistant_content=""
    )
    context = AIContext(
        messages=[
            AIMessage(
                role="user", name="ann", content=[AIImagePart(url="data:image/png;base64,AA")]
            ),
            AIMessage(role="assistant", tool_calls=[CALL]),
            AIMessage(role="tool", content="42", tool_call_id="c1", name="lookup"),
        ]
    )
    messages = fmt.messages(context)
    assert messages[0] == {
        "role": "user",
        "content": [{"type": "image_url", "image_url": "data:image/png;base64,AA"}],
    }
    assert messages[1]["content"] == ""
    assert messages[2]["name"] == "lookup"
    with pytest.raises(InvalidContentError, match="tool_call_id"):
        fmt.messages(AIContext(messages=[AIMessage(role="tool", content="x")]))
    with pytest.raises(InvalidContentError, match="data: URI"):
        fmt.messages(
            AIContext(messages=[AIMessage(role="user", content=[AIImagePart(url="file:///x")])])
        )


def test_text_and_thinking_in_every_shape() -> None:
    assert support.text_and_thinking(NS(content="hi", reasoning_content="why")) == ("hi", "why")
    assert support.text_and_thinking(NS(content=None, reasoning="because")) == ("", "because")
    mistral = NS(
        content=[
            NS(type="thinking", thinking=[NS(type="text", text="step 1")]),
            NS(type="text", text="answer"),
        ]
    )
    assert support.text_and_thinking(mistral) == ("answer", "step 1")
    assert support.text_and_thinking({"content": [{"type": "text", "text": "d"}]}) == ("d", "")


def test_parse_chat_completion_and_stream_reader() -> None:
    function = NS(name="lookup", arguments='{"q": "x"}')
    completion = NS(
        model="m",
        usage=NS(prompt_tokens=3, completion_tokens=4),
        choices=[
            NS(
                finish_reason=NS(value="tool_calls"),
                message=NS(
                    content="ok",
                    reasoning_content="hm",
                    tool_calls=[NS(id="null", function=function)],
                ),
            )
        ],
    )
    response = support.parse_chat_completion(completion, provider="p")
    assert (response.content, response.thinking, response.finish_reason) == (
        "ok",
        "hm",
        "tool_calls",
    )
    assert response.tool_calls == [AIToolCall(id="call_0", name="lookup", arguments={"q": "x"})]
    with pytest.raises(ProviderError, match="no choices"):
        support.parse_chat_completion(NS(choices=[]), provider="p")

    reader = support.ChatStreamReader("p")
    fragments = [NS(index=0, id="c9", function=NS(name="look", arguments='{"q"')),
                 NS(index=0, id=None, function=NS(name="up", arguments=': "x"}'))]  # fmt: skip

    def item(delta: NS, finish: str | None = None) -> NS:
        return NS(usage=None, choices=[NS(finish_reason=finish, delta=delta)])

    items = [
        item(NS(content=None, reasoning_content="r", tool_calls=None)),
        item(NS(content="a", tool_calls=fragments)),
        item(NS(content=None, tool_calls=None), "tool_calls"),
        NS(usage=NS(prompt_tokens=1, completion_tokens=2), choices=[]),
    ]
    chunks = [chunk for item in items for chunk in reader.feed(item)]
    assert [(c.thinking_delta, c.text_delta) for c in chunks] == [("r", ""), ("", "a")]
    final = reader.final()
    assert final.tool_calls == [AIToolCall(id="c9", name="lookup", arguments={"q": "x"})]
    assert final.finish_reason == "tool_calls"
    assert final.usage is not None
    assert final.usage.output_tokens == 2


def test_tool_call_assembler_rejects_nameless_calls() -> None:
    assembler = support.ToolCallAssembler("p")
    assembler.add([NS(index=0, id="x", function=NS(name=None, arguments="{}"))])
    with pytest.raises(ProviderError, match="no function name"):
        assembler.calls()


def test_redactor() -> None:
    redactor = support.Redactor(["sk-live-123456", "Bearer tok-abcdef", "short", ""])
    assert redactor.text("k=sk-live-123456 h=Bearer tok-abcdef t=tok-abcdef") == "k=*** h=*** t=***"
    assert redactor.text("short words stay") == "short words stay"
    assert redactor.leaks("xx sk-live-123456")
    assert not support.Redactor([])


def test_retry_after_seconds() -> None:
    assert support.retry_after_seconds({"Retry-After": "3"}) == 3.0
    assert support.retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert support.retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert support.retry_after_seconds({"Retry-After": "soon"}) is None
    assert support.retry_after_seconds(None) is None


class ConnectTimeout(Exception):
    """Named like httpx's connect timeout."""


def test_attempt_timeout_error_names_the_setting() -> None:
    cause = ConnectTimeout("no route")
    wrapped = RuntimeError("timed out")
    wrapped.__cause__ = cause
    error = support.attempt_timeout_error(wrapped, "p", connect_timeout=5, read_timeout=15)
    assert (error.setting, error.timeout) == ("connect_timeout", 5)
    assert "raise connect_timeout" in str(error)
    read = support.attempt_timeout_error(RuntimeError(), "p", connect_timeout=5, read_timeout=15)
    assert (read.setting, read.timeout) == ("read_timeout", 15)
    assert support.is_worth_retrying(error)
    assert not support.is_worth_retrying(read)


class Settings(support.AIProviderSettings):
    model: str = "m"


async def test_settings_defaults_secrets_and_hook() -> None:
    settings = Settings(default_headers={"Authorization": "Bearer hdr-789xyz"})
    assert (settings.timeout, settings.connect_timeout, settings.read_timeout) == (60, 5, 15)
    assert settings.max_retries == 1
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert "hdr-789xyz" not in shown
    assert support.plain_headers(settings.default_headers) == {"Authorization": "Bearer hdr-789xyz"}
    assert support.plain_headers({}) is None
    assert support.secrets_of(settings) == ["Bearer hdr-789xyz"]

    request = NS(extensions={"timeout": {"connect": 300, "read": 300}})
    await support.timeout_hook(2.0, 9.0)(request)
    assert request.extensions["timeout"] == {"connect": 2.0, "read": 9.0, "write": 9.0, "pool": 2.0}


def test_config_errors_never_echo_input_values() -> None:
    with pytest.raises(ConfigurationError) as info:
        support.resolve_config(
            Settings, None, {"model": "m", "timeout": "sk-oops-in-the-wrong-place"}
        )
    assert "timeout" in str(info.value)
    assert "sk-oops" not in str(info.value)
