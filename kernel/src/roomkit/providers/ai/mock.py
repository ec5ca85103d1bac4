"""A scripted AI provider for tests: canned replies, tool calls, streaming, delays, errors.

Every request is recorded in :attr:`MockAIProvider.calls` so tests can assert on what the
model was sent (system prompt, messages, tools ...).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from operator import attrgetter
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.models._construct import construct
from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk, AIToolCall, AIUsage
from roomkit.providers.ai.base import AIProvider

__all__ = ["MockAIProvider"]

_set = object.__setattr__
_UPDATED = frozenset({"model", "usage"})
_content_of = attrgetter("content")


def _as_tool_call(value: AIToolCall | dict[str, Any], n: int) -> AIToolCall:
    if isinstance(value, AIToolCall):
        return value
    if isinstance(value, dict) and "name" in value:
        return AIToolCall(
            id=str(value.get("id") or f"call_{n}"),
            name=str(value["name"]),
            arguments=dict(value.get("arguments") or {}),
        )
    raise ConfigurationError(
        "tool_calls entries must be AIToolCall or dicts with 'name' (and optional "
        f"'arguments', 'id'); got {value!r}"
    )


class MockAIProvider(AIProvider):
    """Replies from a script instead of a model.

    * ``responses``: texts or :class:`AIResponse` objects returned in turn, cycling when the
      list is exhausted (default: one generic reply).
    * ``tool_calls``: tool calls (``AIToolCall`` or ``{"name", "arguments", "id"}`` dicts)
      returned by the *first* request, before the scripted responses.
    * ``streaming``: claim streaming support; :meth:`generate_stream` yields word pieces.
    * ``delay``: seconds to wait before answering (for timeout tests).
    * ``errors``: one exception raised on every call, or a sequence consumed one per call
      (``None`` entries mean "answer normally").
    * ``ai_responses``: :class:`AIResponse` objects (the RoomKit 0.6.7 keyword); when given
      they are the script instead of ``responses``.
    """

    name = "mock"

    def __init__(
        self,
        responses: Sequence[str | AIResponse] | None = None,
        *,
        tool_calls: Sequence[AIToolCall | dict[str, Any]] | None = None,
        streaming: bool = False,
        delay: float = 0.0,
        errors: BaseException | Sequence[BaseException | None] | None = None,
        vision: bool = False,
        tools: bool = True,
        model: str = "mock-model",
        ai_responses: Sequence[AIResponse] | None = None,
    ) -> None:
        if delay < 0:
            raise ConfigurationError(f"delay must be >= 0 seconds, got {delay}")
        script: list[str | AIResponse]
        if ai_responses:  # the 0.6.7 keyword for full responses: used instead of responses
            script = list(ai_responses)
        else:
            script = list(responses) if responses is not None else ["This is a mock response."]
        if not script:
            raise ConfigurationError("responses must hold at least one reply (or be None)")
        self._responses: list[AIResponse] = [
            r if isinstance(r, AIResponse) else AIResponse(content=str(r), finish_reason="stop")
            for r in script
        ]
        self._pending_tool_calls: list[AIToolCall] = [
            _as_tool_call(c, i) for i, c in enumerate(tool_calls or [])
        ]
        if isinstance(errors, BaseException):
            self._error_every_call: BaseException | None = errors
            self._errors: list[BaseException | None] = []
        else:
            self._error_every_call = None
            self._errors = list(errors or [])
        self.supports_streaming = streaming
        self.supports_vision = vision
        self.supports_tools = tools
        self.delay = delay
        self._model = model
        self._next = 0
        self.calls: list[AIContext] = []

    @property
    def model_name(self) -> str:
        """The fake model identifier."""
        return self._model

    @property
    def call_count(self) -> int:
        """How many requests were made."""
        return len(self.calls)

    @property
    def last_context(self) -> AIContext | None:
        """The most recent request."""
        return self.calls[-1] if self.calls else None

    def reset(self) -> None:
        """Forget recorded calls and restart the response script."""
        self.calls.clear()
        self._next = 0

    async def _answer(self, context: AIContext) -> AIResponse:
        self.calls.append(context)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._error_every_call is not None:
            raise self._error_every_call
        if self._errors:
            error = self._errors.pop(0)
            if error is not None:
                raise error
        if self._pending_tool_calls:
            calls, self._pending_tool_calls = self._pending_tool_calls, []
            return AIResponse(tool_calls=calls, finish_reason="tool_calls", model=self._model)
        response = self._responses[self._next % len(self._responses)]
        self._next += 1
        usage = response.usage
        if usage is None:
            # Rough token counts (4 characters a token), cheap enough for benchmarks.
            messages = context.messages
            try:  # all text (the common case): one join counts them in C
                chars = len("".join(map(_content_of, messages)))
            except TypeError:  # some messages are parts (images): count the texts only
                chars = sum(len(c) for c in map(_content_of, messages) if isinstance(c, str))
            usage = construct(
                AIUsage, {"input_tokens": chars // 4, "output_tokens": len(response.content) // 4}
            )
        # What ``response.model_copy(update=...)`` makes (same fields and fields set), without
        # its generic copying: the scripted responses are plain AIResponse objects.
        if type(response) is AIResponse and response.__pydantic_private__ is None:
            reply = construct(
                AIResponse,
                {**response.__dict__, "model": response.model or self._model, "usage": usage},
            )
            _set(reply, "__pydantic_fields_set__", response.__pydantic_fields_set__ | _UPDATED)
            return reply
        return response.model_copy(update={"model": response.model or self._model, "usage": usage})

    async def generate(self, context: AIContext) -> AIResponse:
        """The next scripted response (recording ``context``)."""
        return await self._answer(context)

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        """The next scripted response in word-sized text pieces, then a final chunk."""
        response = await self._answer(context)
        text = response.content
        pieces = [p for p in text.split(" ")]
        for i, piece in enumerate(pieces):
            delta = piece if i == len(pieces) - 1 else piece + " "
            if delta:
                yield AIStreamChunk(text_delta=delta)
        yield AIStreamChunk(
            tool_calls=response.tool_calls,
            finish_reason=response.finish_reason or "stop",
            usage=response.usage,
        )
