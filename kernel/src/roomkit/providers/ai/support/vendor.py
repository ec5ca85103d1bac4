"""The common body of AI providers built on a vendor SDK.

:class:`VendorAIProvider` owns what every such provider does the same way: the config (an
instance or keyword options), the overall deadline of an answer, retries, error translation
with secrets removed, streaming with a final chunk that carries tool calls, usage and the
finish reason, and closing. A plugin supplies only what differs per vendor: how to build the
SDK client, the request, one complete call, how to open a stream, a :class:`StreamReader` for
the vendor's stream items and how the SDK's exceptions map to
:class:`~roomkit.errors.ProviderError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar

from roomkit.errors import ProviderError
from roomkit.models.ai import AIContext, AIResponse, AIStreamChunk, AIToolCall, AIUsage
from roomkit.providers.ai.base import AIProvider
from roomkit.providers.ai.support.calls import AnswerDeadline, RetryPolicy
from roomkit.providers.ai.support.config import AIProviderSettings, resolve_config, secrets_of
from roomkit.providers.ai.support.errors import Redactor, ensure_finished, translate_errors

__all__ = ["StreamReader", "VendorAIProvider", "close_stream"]

logger = logging.getLogger("roomkit.providers.ai")

ConfigT = TypeVar("ConfigT", bound=AIProviderSettings)
ClientT = TypeVar("ClientT")

#: How long closing a half-read stream may take before it is abandoned.
_CLOSE_TIMEOUT = 2.0


class StreamReader(ABC):
    """Follows one vendor stream: turns its items into chunks and remembers the rest.

    :meth:`feed` is called for every raw item the SDK yields; it returns the text and thinking
    chunks to pass on and records the finish reason, usage, signature and tool calls on the
    reader, from which :meth:`final` builds the last chunk.
    """

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.finish_reason: str | None = None
        self.usage: AIUsage | None = None
        self.thinking_signature: str | None = None

    @abstractmethod
    def feed(self, item: Any) -> Iterable[AIStreamChunk]:
        """Take one raw stream item; return the chunks it adds (often none or one)."""

    def tool_calls(self) -> list[AIToolCall]:
        """The complete tool calls of the stream (none by default)."""
        return []

    def final(self) -> AIStreamChunk:
        """The last chunk: tool calls, finish reason, usage and reasoning signature.

        Raises:
            ProviderError: (retryable) the stream ended without a finish reason, or a tool
                call could not be assembled.
        """
        finished = ensure_finished(self.provider, self.finish_reason)
        return AIStreamChunk(
            tool_calls=self.tool_calls(),
            finish_reason=finished,
            usage=self.usage,
            thinking_signature=self.thinking_signature,
        )

    @staticmethod
    def text_chunks(text: str = "", thinking: str = "") -> list[AIStreamChunk]:
        """The chunks for a piece of ``thinking`` and/or ``text`` (none when both are empty)."""
        chunks = []
        if thinking:
            chunks.append(AIStreamChunk(thinking_delta=thinking))
        if text:
            chunks.append(AIStreamChunk(text_delta=text))
        return chunks


async def close_stream(stream: Any) -> None:
    """Close an SDK stream (``aclose()`` or ``close()``), quietly and within two seconds."""
    closer = getattr(stream, "aclose", None) or getattr(stream, "close", None)
    if closer is None:
        return
    with contextlib.suppress(Exception):
        async with asyncio.timeout(_CLOSE_TIMEOUT):
            result = closer()
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                await result


class VendorAIProvider(AIProvider, ABC, Generic[ConfigT, ClientT]):
    """An AI provider over a vendor SDK; subclasses fill in the vendor-specific steps.

    Built from a config or from keyword options validated into :attr:`config_model`::

        Provider(SomeConfig(api_key="...", model="..."))
        Provider(api_key="...", model="...", timeout=20)

    Every call runs under the config's time limits (see
    :class:`~roomkit.providers.ai.support.config.AIProviderSettings`): one overall deadline,
    retries that never outlive it, and SDK clients built with ``max_retries=0`` and the
    per-attempt ``connect_timeout`` / ``read_timeout``. Every failure reaches the caller as a
    :class:`~roomkit.errors.ProviderError` with the config's secrets removed from its text.
    """

    supports_streaming = True
    supports_structured_streaming = True

    #: The config model keyword options are validated with.
    config_model: ClassVar[type[AIProviderSettings]]
    #: Config types accepted as the positional argument (just :attr:`config_model` if empty).
    accepted_configs: ClassVar[tuple[type[AIProviderSettings], ...]] = ()

    def __init__(self, config: ConfigT | None = None, /, **options: Any) -> None:
        resolved = resolve_config(self.config_model, config, options, self.accepted_configs)
        self.config: ConfigT = resolved  # type: ignore[assignment]  # config_model is a ConfigT
        self.name = self.name_for(self.config)
        self.retry = RetryPolicy(self.config.max_retries, backoff=self.config.retry_backoff)
        self._client: ClientT = self.build_client()
        self._redactor = Redactor([*secrets_of(self.config), *self.extra_secrets()])

    # -- what a vendor plugin provides ---------------------------------------------------

    def name_for(self, config: ConfigT) -> str:
        """The provider name used in errors for ``config`` (default: the class's ``name``)."""
        return type(self).name

    @abstractmethod
    def build_client(self) -> ClientT:
        """The SDK client for :attr:`config`, with SDK retries off and per-attempt timeouts.

        Raises:
            ConfigurationError: the SDK refused the settings (e.g. no API key anywhere).
        """

    @abstractmethod
    def build_request(self, context: AIContext) -> dict[str, Any]:
        """The keyword arguments of the SDK call for ``context``."""

    @abstractmethod
    async def complete(self, request: dict[str, Any]) -> AIResponse:
        """Make one non-streamed call and parse its response."""

    @abstractmethod
    async def open_stream(self, request: dict[str, Any]) -> AsyncIterator[Any]:
        """Start one streamed call; return the SDK's async iterator of raw items."""

    @abstractmethod
    def stream_reader(self) -> StreamReader:
        """A fresh reader for one stream."""

    @abstractmethod
    def vendor_error(self, exc: Exception) -> ProviderError:
        """The :class:`ProviderError` for an exception of the SDK or its HTTP stack."""

    @abstractmethod
    async def close_client(self) -> None:
        """Release the SDK client's connections."""

    def extra_secrets(self) -> list[str]:
        """Credentials the SDK found itself (e.g. in environment variables), to redact."""
        return []

    # -- the common part -----------------------------------------------------------------

    @property
    def model_name(self) -> str:
        """The model requests go to."""
        return self.config.model

    @property
    def client(self) -> ClientT:
        """The underlying SDK client (for features RoomKit does not wrap)."""
        return self._client

    def _error(self, exc: Exception) -> ProviderError:
        return self._redactor.error(self.vendor_error(exc), exc)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        with translate_errors(self._error):
            yield

    async def _complete_once(self, request: dict[str, Any]) -> AIResponse:
        with self._translated():
            return await self.complete(request)

    async def generate(self, context: AIContext) -> AIResponse:
        """One complete answer for ``context``, within the deadline, retried as configured."""
        request = self.build_request(context)
        deadline = AnswerDeadline(self.name, self.config.timeout)
        return await self.retry.call(deadline, lambda: self._complete_once(request))

    async def generate_stream(self, context: AIContext) -> AsyncIterator[AIStreamChunk]:
        """Stream text (and reasoning) deltas; tool calls, usage and the finish reason come
        in the last chunk.

        The whole stream must end within ``timeout`` seconds of the request, however steadily
        tokens arrive. Retries happen only before the first chunk; a stream that ends without
        a finish reason (truncated) raises a retryable :class:`ProviderError`.
        """
        request = self.build_request(context)
        deadline = AnswerDeadline(self.name, self.config.timeout)
        attempt = 0
        while True:
            yielded = False
            try:
                # aclosing: stopping early must close the vendor stream now, not at GC time.
                async with contextlib.aclosing(self._stream_once(request, deadline)) as chunks:
                    async for chunk in chunks:
                        yielded = True
                        yield chunk
                return
            except ProviderError as error:
                delay = None if yielded else self.retry.pause(error, attempt, deadline.remaining())
                if delay is None:
                    raise
                logger.info("%s: retrying the stream in %.2fs: %s", self.name, delay, error)
            await self.retry.sleep(delay)
            attempt += 1

    async def _stream_once(
        self, request: dict[str, Any], deadline: AnswerDeadline
    ) -> AsyncGenerator[AIStreamChunk, None]:
        reader = self.stream_reader()
        with self._translated():
            stream = await deadline.run(lambda: self.open_stream(request))
            try:
                iterator = stream.__aiter__()
                while True:
                    try:
                        item = await deadline.next(iterator)
                    except StopAsyncIteration:
                        break
                    for chunk in reader.feed(item):
                        yield chunk
            finally:
                await close_stream(stream)
            final = reader.final()
        yield final

    async def close(self) -> None:
        """Close the SDK's HTTP connections."""
        await self.close_client()
