"""Directives that steer an AI channel's running turn between its tool rounds."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from roomkit.deferred import DeferredModel

__all__ = ["Cancel", "InjectMessage", "SteeringDirective", "UpdateSystemPrompt"]


class InjectMessage(DeferredModel):
    """Add a message to the model's context before its next tool round (a correction from a
    supervisor, news the user typed meanwhile ...)."""

    type: Literal["inject_message"] = "inject_message"
    content: str = Field(min_length=1)
    role: Literal["user", "system", "assistant"] = "user"


class Cancel(DeferredModel):
    """Stop the turn now: the in-flight model or tool call is cancelled and the turn ends with
    the text produced so far."""

    type: Literal["cancel"] = "cancel"
    reason: str = "cancelled"


class UpdateSystemPrompt(DeferredModel):
    """Append ``append`` to the system prompt for the rest of the turn (as written: include
    a leading space or newline when one is wanted)."""

    type: Literal["update_system_prompt"] = "update_system_prompt"
    append: str = Field(min_length=1)


SteeringDirective = InjectMessage | Cancel | UpdateSystemPrompt
"""Any of the directives ``AIChannel.steer`` takes."""
