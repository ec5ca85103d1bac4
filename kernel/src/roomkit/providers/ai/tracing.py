"""``roomkit.ai.generate`` spans around every AI provider call.

:class:`~roomkit.providers.ai.base.AIProvider` wraps the ``generate`` and ``generate_stream``
each provider class defines (:func:`instrument`, from ``__init_subclass__``), so every vendor
plugin is traced without code of its own. A call records a span only while a kit with
telemetry runs the channel that makes it (:func:`~roomkit.telemetry.tracer.active_tracer`);
otherwise the wrapper costs one context-variable read.

The span (kind ``LLM_GENERATE``) carries ``provider``, ``model``, ``llm.streaming``, the
input and output token counts when the vendor reports them and, for streams, ``ttfb_ms`` (the
time to the first chunk). A call made inside another traced call of the same task (a fallback
provider calling its members, a stream built on ``generate``) is part of the outer span.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk, AIUsage
from roomkit.telemetry.spans import Attr, SpanKind
from roomkit.telemetry.tracer import Tracer, active_tracer

if TYPE_CHECKING:
    from roomkit.providers.ai.base import AIProvider

__all__ = ["instrument"]

P = TypeVar("P", bound="AIProvider")

_Generate = Callable[[Any, AIContext], Coroutine[Any, Any, AIResponse]]
_Stream = Callable[[Any, AIContext], AsyncIterator[AIStreamChunk]]

#: True while a traced call runs in this task: nested calls record no span of their own.
_IN_CALL: ContextVar[bool] = ContextVar("roomkit_ai_call", default=False)
_MARK = "__roomkit_traced__"


def _start(tracer: Tracer, provider: AIProvider, streaming: bool) -> str:
    return tracer.start(
        SpanKind.LLM_GENERATE,
        "roomkit.ai.generate",
        {
            Attr.PROVIDER: provider.name,
            Attr.MODEL: provider.model_name,
            Attr.LLM_STREAMING: streaming,
        },
    )


def _usage(attributes: dict[str, Any], usage: AIUsage | None) -> dict[str, Any]:
    if usage is not None:
        attributes[Attr.LLM_INPUT_TOKENS] = usage.input_tokens
        attributes[Attr.LLM_OUTPUT_TOKENS] = usage.output_tokens
    return attributes


def _traced_generate(generate: _Generate) -> _Generate:
    @functools.wraps(generate)
    async def traced(self: AIProvider, context: AIContext) -> AIResponse:
        tracer = active_tracer()
        if tracer is None or _IN_CALL.get():
            return await generate(self, context)
        span = _start(tracer, self, False)
        token = _IN_CALL.set(True)
        try:
            response = await generate(self, context)
        except BaseException as exc:
            tracer.fail(span, exc)
            raise
        finally:
            _IN_CALL.reset(token)
        attributes: dict[str, Any] = {Attr.LLM_TOOL_COUNT: len(response.tool_calls)}
        if response.model:
            attributes[Attr.MODEL] = response.model
        tracer.end(span, _usage(attributes, response.usage))
        return response

    setattr(traced, _MARK, True)
    return traced


def _traced_stream(stream: _Stream) -> _Stream:
    @functools.wraps(stream)
    async def traced(self: AIProvider, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        tracer = active_tracer()
        chunks = stream(self, context)
        if tracer is None or _IN_CALL.get():
            try:
                async for chunk in chunks:
                    yield chunk
            finally:  # a consumer stopping early closes the vendor's stream at once
                await _close(chunks)
            return
        span = _start(tracer, self, True)
        started = time.perf_counter()
        first: float | None = None
        usage: AIUsage | None = None
        tools = 0
        try:
            while True:
                token = _IN_CALL.set(True)  # only while the vendor code runs, never across yields
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    break
                finally:
                    _IN_CALL.reset(token)
                if first is None:
                    first = time.perf_counter()
                usage = chunk.usage or usage
                tools += len(chunk.tool_calls)
                yield chunk
        except BaseException as exc:  # includes the consumer stopping early (GeneratorExit)
            tracer.fail(span, exc)
            raise
        finally:
            await _close(chunks)
        attributes: dict[str, Any] = {Attr.LLM_TOOL_COUNT: tools}
        if first is not None:
            attributes[Attr.TTFB_MS] = round((first - started) * 1000, 3)
        tracer.end(span, _usage(attributes, usage))

    setattr(traced, _MARK, True)
    return traced


async def _close(chunks: AsyncIterator[AIStreamChunk]) -> None:
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()


def instrument(cls: type[P]) -> type[P]:
    """Wrap the ``generate`` / ``generate_stream`` that ``cls`` itself defines (once)."""
    for name, wrap in (("generate", _traced_generate), ("generate_stream", _traced_stream)):
        method = cls.__dict__.get(name)
        if method is not None and callable(method) and not getattr(method, _MARK, False):
            setattr(cls, name, wrap(method))
    return cls
