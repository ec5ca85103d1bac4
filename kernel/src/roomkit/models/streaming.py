"""The shapes of a streamed AI answer: provider events and messages to streaming clients.

Two families, one per side of the engine:

* **Provider stream events** (:data:`StreamEvent`) -- what
  :meth:`AIProvider.generate_structured_stream
  <roomkit.providers.ai.base.AIProvider.generate_structured_stream>` yields, in order: any
  :class:`StreamThinkingDelta` (the model's reasoning), :class:`StreamTextDelta` pieces of the
  answer, one :class:`StreamToolCall` per complete tool call, and a final :class:`StreamDone`.
* **Client stream messages** (:data:`StreamMessage`) -- what a channel that streams to its
  clients (a WebSocket) sends for one answer: :class:`StreamStart`, one :class:`StreamChunk`
  per text piece, then :class:`StreamEnd` with the stored event, or :class:`StreamError`.
  A :data:`StreamSendFn` sends one of them to one connection.
"""

from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeAlias

from pydantic import Field

from roomkit.deferred import DeferredModel
from roomkit.models.event import EventSource, RoomEvent

__all__ = [
    "StreamChunk",
    "StreamDone",
    "StreamEnd",
    "StreamError",
    "StreamEvent",
    "StreamMessage",
    "StreamSendFn",
    "StreamStart",
    "StreamTextDelta",
    "StreamThinkingDelta",
    "StreamToolCall",
]


# -- provider stream events ------------------------------------------------------------------


class StreamThinkingDelta(DeferredModel):
    """A piece of the model's reasoning; comes before the answer's text."""

    type: Literal["thinking_delta"] = "thinking_delta"
    thinking: str


class StreamTextDelta(DeferredModel):
    """A piece of the answer's text."""

    type: Literal["text_delta"] = "text_delta"
    text: str


class StreamToolCall(DeferredModel):
    """A complete tool call (its streamed argument fragments already assembled and parsed)."""

    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class StreamDone(DeferredModel):
    """The end of a streamed answer.

    ``usage`` holds the token counts the vendor reported (``input_tokens``,
    ``output_tokens``); ``metadata`` carries what else the provider knows about the answer,
    such as ``thinking_signature`` (the token to send the reasoning back with) and ``model``.
    """

    type: Literal["done"] = "done"
    finish_reason: str | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


StreamEvent: TypeAlias = StreamThinkingDelta | StreamTextDelta | StreamToolCall | StreamDone
"""One event of :meth:`AIProvider.generate_structured_stream`; dispatch on ``type``."""


# -- client stream messages ------------------------------------------------------------------


class StreamStart(DeferredModel):
    """Sent to a client when a streamed answer begins; ``stream_id`` names the answer."""

    type: Literal["stream_start"] = "stream_start"
    room_id: str
    stream_id: str
    source: EventSource


class StreamChunk(DeferredModel):
    """Sent for each piece of text: ``delta`` is the new piece, ``text`` everything so far."""

    type: Literal["stream_chunk"] = "stream_chunk"
    room_id: str
    stream_id: str
    delta: str
    text: str


class StreamEnd(DeferredModel):
    """Sent when the answer is complete, with the event it was stored as."""

    type: Literal["stream_end"] = "stream_end"
    room_id: str
    stream_id: str
    event: RoomEvent


class StreamError(DeferredModel):
    """Sent when the answer failed part-way; ``error`` says why (never a secret)."""

    type: Literal["stream_error"] = "stream_error"
    room_id: str
    stream_id: str
    error: str


StreamMessage: TypeAlias = StreamStart | StreamChunk | StreamEnd | StreamError
"""One message of a streamed answer sent to a client connection."""

StreamSendFn: TypeAlias = Callable[[str, StreamMessage], Coroutine[Any, Any, None]]
"""``await send(connection_id, message)``: sends one stream message to one connection."""
