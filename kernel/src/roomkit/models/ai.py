"""The provider-neutral shapes of an AI request and its response."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from roomkit.models.room import AITool

__all__ = [
    "AIContentPart",
    "AIContext",
    "AIImagePart",
    "AIMessage",
    "AIResponse",
    "AIStreamChunk",
    "AITextPart",
    "AIToolCall",
    "AIUsage",
]


class AITextPart(BaseModel):
    """A text part of a multi-part message."""

    type: Literal["text"] = "text"
    text: str


class AIImagePart(BaseModel):
    """An image part of a multi-part message (vision input): a URL or a ``data:`` URI."""

    type: Literal["image"] = "image"
    url: str
    mime_type: str | None = None


AIContentPart = Annotated[AITextPart | AIImagePart, Field(discriminator="type")]


class AIToolCall(BaseModel):
    """A function call the model asked for; ``arguments`` is already parsed JSON."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class AIMessage(BaseModel):
    """One turn of the conversation sent to the model.

    ``role="tool"`` messages carry a tool result and the ``tool_call_id`` they answer;
    ``role="assistant"`` messages may carry the ``tool_calls`` the model made.
    """

    role: Literal["system", "user", "assistant", "tool"]
    content: str | list[AIContentPart] = ""
    name: str | None = None
    tool_calls: list[AIToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None

    @property
    def text(self) -> str:
        """The message's text, joining the text parts of a multi-part message."""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content if isinstance(p, AITextPart))


class AIUsage(BaseModel):
    """Token counts reported by the provider."""

    input_tokens: int = 0
    output_tokens: int = 0


class AIContext(BaseModel):
    """Everything a provider needs for one generation."""

    messages: list[AIMessage] = Field(default_factory=list)
    system_prompt: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    model: str | None = None
    tools: list[AITool] = Field(default_factory=list)
    room_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class AIResponse(BaseModel):
    """A complete generation: text, tool calls, or both."""

    content: str = ""
    tool_calls: list[AIToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    usage: AIUsage | None = None
    model: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class AIStreamChunk(BaseModel):
    """One piece of a streamed generation.

    Text arrives as ``text_delta`` pieces; tool calls arrive whole (providers assemble their
    argument fragments) in the chunk that carries them; the last chunk has ``finish_reason``.
    """

    text_delta: str = ""
    tool_calls: list[AIToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    usage: AIUsage | None = None
