"""The provider-neutral shapes of an AI request and its response."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from roomkit.deferred import DeferredModel
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelMediaType
from roomkit.models.room import AITool, ChannelCapabilities
from roomkit.models.task import Observation, Task

__all__ = [
    "AIContentPart",
    "AIContext",
    "AIImagePart",
    "AIMessage",
    "AIResponse",
    "AIStreamChunk",
    "AITextPart",
    "AIThinkingPart",
    "AIToolCall",
    "AIToolCallPart",
    "AIToolResultPart",
    "AIUsage",
]


class AITextPart(DeferredModel):
    """A text part of a multi-part message."""

    type: Literal["text"] = "text"
    text: str


class AIImagePart(DeferredModel):
    """An image part of a multi-part message (vision input): a URL or a ``data:`` URI."""

    type: Literal["image"] = "image"
    url: str
    mime_type: str | None = None


class AIThinkingPart(DeferredModel):
    """The model's reasoning, kept in the history of an assistant turn.

    Vendors that check reasoning across a tool loop (Anthropic) need it sent back exactly as
    they produced it, with its ``signature`` (an opaque token of the vendor). Providers whose
    vendors take no reasoning back leave these parts out of the request.
    """

    type: Literal["thinking"] = "thinking"
    thinking: str
    signature: str | None = None


class AIToolCallPart(DeferredModel):
    """A tool call of an assistant turn, written as a content part.

    The same as an entry of :attr:`AIMessage.tool_calls`; providers accept either form.
    """

    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class AIToolResultPart(DeferredModel):
    """The result of the tool call ``tool_call_id``, written as a content part.

    The same as a ``role="tool"`` message; providers accept either form.
    """

    type: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    name: str
    result: str


AIContentPart = Annotated[
    AITextPart | AIImagePart | AIThinkingPart | AIToolCallPart | AIToolResultPart,
    Field(discriminator="type"),
]


class AIToolCall(DeferredModel):
    """A function call the model asked for; ``arguments`` is already parsed JSON."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class AIMessage(DeferredModel):
    """One turn of the conversation sent to the model.

    ``role="tool"`` messages carry a tool result and the ``tool_call_id`` they answer;
    ``role="assistant"`` messages may carry the ``tool_calls`` the model made and, as
    :class:`AIThinkingPart` content, the reasoning that led to them. Tool calls and results
    may also be given as :class:`AIToolCallPart` / :class:`AIToolResultPart` content parts.
    """

    role: Literal["system", "user", "assistant", "tool"]
    content: str | list[AIContentPart] = ""
    name: str | None = None
    tool_calls: list[AIToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None
    #: Application data about the message; never sent to the model.
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message's text, joining the text parts of a multi-part message."""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content if isinstance(p, AITextPart))


class AIUsage(DeferredModel):
    """Token counts reported by the provider."""

    input_tokens: int = 0
    output_tokens: int = 0


class AIContext(DeferredModel):
    """Everything a provider needs for one generation."""

    messages: list[AIMessage] = Field(default_factory=list)
    system_prompt: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    model: str | None = None
    tools: list[AITool] = Field(default_factory=list)
    #: Tokens the model may spend reasoning before it answers (``None``: the provider's
    #: default, usually no extended reasoning). Providers without such a budget ignore it.
    thinking_budget: int | None = Field(default=None, gt=0)
    room_id: str | None = None
    #: The room the answer is for (``AIChannel`` sets it), for providers and tools that
    #: shape their answer to it.
    room: RoomContext | None = None
    #: What the channel the triggering message came from can show (``None``: unknown), and
    #: its media types: an answer for SMS should not rely on cards or images.
    target_capabilities: ChannelCapabilities | None = None
    target_media_types: list[ChannelMediaType] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class AIResponse(DeferredModel):
    """A complete generation: text, tool calls, or both.

    ``thinking`` is the reasoning the vendor returned (Anthropic thinking blocks, the
    ``reasoning_content`` of OpenAI-compatible servers, Gemini thought summaries, Mistral
    thinking chunks), and ``thinking_signature`` the vendor's token for sending it back
    (:class:`AIThinkingPart`). ``tasks`` and ``observations`` are side effects the provider
    derived from the conversation; the AI channel hands them to the engine, which stores them
    and fires ``ON_TASK_CREATED`` / ``ON_OBSERVATION``.
    """

    content: str = ""
    thinking: str | None = None
    thinking_signature: str | None = None
    tool_calls: list[AIToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    usage: AIUsage | None = None
    model: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    tasks: list[Task] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)


class AIStreamChunk(DeferredModel):
    """One piece of a streamed generation.

    Text arrives as ``text_delta`` pieces and reasoning as ``thinking_delta`` pieces (before
    the text); tool calls arrive whole (providers assemble their argument fragments) in the
    chunk that carries them; the last chunk has ``finish_reason`` and, when the vendor signs
    its reasoning, ``thinking_signature``.
    """

    text_delta: str = ""
    thinking_delta: str = ""
    thinking_signature: str | None = None
    tool_calls: list[AIToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    usage: AIUsage | None = None
