"""What the AI-provider suites need from a wire fake, and how factories hand one over.

:class:`AIWire` is the fault-injection protocol
(:class:`~roomkit_conformance.wire.llm.LLMockWire` implements it); a conformance factory that
builds its own provider calls :func:`register_wire` (or uses :func:`llmock_instance`) so that
the suite's default ``wire`` fixture finds the wire through :func:`wire_for`.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol, runtime_checkable

from roomkit.providers.ai.base import AIProvider

__all__ = ["SUITE_TIMEOUT", "AIWire", "llmock_instance", "register_wire", "wire_for"]


@runtime_checkable
class AIWire(Protocol):
    """What the suite needs from a wire fake: script replies, inject faults, read requests.

    Faults are permanent until :meth:`reset` unless ``times`` says otherwise, so a provider
    with retries enabled still sees them.
    """

    async def reset(self) -> None:
        """Drop every scripted behaviour and the request journal."""

    async def reply(
        self,
        text: str | None = None,
        *,
        tool_calls: Sequence[tuple[str, dict[str, Any]]] = (),
        times: int | None = 1,
    ) -> None:
        """Script the model's next answer: text, tool calls ``(name, arguments)``, or both."""

    async def fail(
        self,
        status: int,
        *,
        times: int | None = None,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> None:
        """Answer with HTTP ``status`` (an error body saying ``message`` when given)."""

    async def delay(self, seconds: float, *, times: int | None = None) -> None:
        """Hold responses for ``seconds``."""

    async def drop_stream(self, *, after_chunks: int = 2, times: int | None = None) -> None:
        """Close the connection in the middle of a streamed response."""

    async def truncate_stream(self, *, after_chunks: int = 2, times: int | None = None) -> None:
        """End a streamed response early and cleanly, without a finish reason."""

    async def stall_stream(
        self, *, after_chunks: int = 2, seconds: float = 30.0, times: int | None = None
    ) -> None:
        """Stop sending a streamed response for ``seconds`` after ``after_chunks`` chunks."""

    async def malformed_tool_arguments(self, *, times: int | None = None) -> None:
        """Emit a tool call whose arguments are not valid JSON (where the wire allows it)."""

    async def requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the requests received so far, oldest first."""

    async def last_request_text(self) -> str:
        """The last request body serialized as JSON."""


_WIRES: weakref.WeakKeyDictionary[Any, AIWire] = weakref.WeakKeyDictionary()


def register_wire(component: Any, wire: AIWire) -> None:
    """Associate a wire with a component built by a conformance factory."""
    _WIRES[component] = wire


def wire_for(component: Any) -> AIWire | None:
    """The wire registered for ``component``, if any."""
    return _WIRES.get(component)


#: The request deadline conformance factories configure (``AIProviderSuite.timeout_seconds``).
SUITE_TIMEOUT = 1.0


@asynccontextmanager
async def llmock_instance(
    vendor: str, build: Callable[[str], AIProvider]
) -> AsyncIterator[AIProvider]:
    """A conformance factory body: ``build(url)`` pointed at the process-wide llmock server.

    ``url`` is what ``vendor``'s SDK takes as its base URL; build the provider with
    :data:`SUITE_TIMEOUT` and retries off. The wire is reset and registered for the suite, and
    the provider closed afterwards::

        def conformance_instance():
            return llmock_instance("anthropic", lambda url: AnthropicAIProvider(
                api_key="test-key", base_url=url, timeout=SUITE_TIMEOUT, max_retries=0))
    """
    from roomkit_conformance.wire.llm import shared_server

    wire = (await asyncio.to_thread(shared_server)).wire(vendor)
    await wire.reset()
    provider = build(wire.sdk_root)
    register_wire(provider, wire)
    try:
        yield provider
    finally:
        await provider.close()
