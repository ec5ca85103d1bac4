"""Skills: named capabilities an AI channel can offer to its model as tools.

A :class:`Skill` pairs :class:`SkillMetadata` (name, description, JSON-Schema parameters) with
a handler called with the model's arguments. A :class:`SkillRegistry` turns its skills into
:class:`~roomkit.models.AITool` definitions and one tool handler, ready for
``AIChannel(tools=registry.tools(), tool_handler=registry.handler)``.
"""

from __future__ import annotations

import builtins
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from roomkit.errors import ConfigurationError
from roomkit.models.room import AITool
from roomkit.tools.compose import UnknownToolError

__all__ = ["Skill", "SkillHandler", "SkillMetadata", "SkillRegistry"]

SkillHandler = Callable[[dict[str, Any]], Awaitable[Any] | Any]
"""Called with the tool arguments; sync or async; the result is sent to the model as text."""

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class SkillMetadata(BaseModel):
    """What a skill is: its tool name, description, argument schema, version and tags."""

    name: str
    description: str = ""
    version: str = "1.0.0"
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    tags: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                f"skill name {value!r} must be 1-64 characters of letters, digits, '_', '.', '-'"
            )
        return value


class Skill(BaseModel):
    """A capability: metadata plus the handler that performs it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    metadata: SkillMetadata
    handler: Callable[..., Any]
    enabled: bool = True

    @property
    def name(self) -> str:
        """The skill's tool name."""
        return self.metadata.name

    def to_tool(self) -> AITool:
        """The tool definition offered to a model."""
        return AITool(
            name=self.metadata.name,
            description=self.metadata.description,
            parameters=self.metadata.parameters,
        )

    async def run(self, arguments: dict[str, Any]) -> str:
        """Call the handler; non-string results are encoded as JSON."""
        result = self.handler(arguments)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, str):
            return result
        return json.dumps(result, default=str)


class SkillRegistry:
    """A named collection of skills."""

    def __init__(self) -> None:
        self._skills: dict[str, Skill] = {}

    def register(self, skill: Skill, *, replace: bool = False) -> Skill:
        """Add ``skill``; a second skill with the same name needs ``replace=True``."""
        if not isinstance(skill, Skill):
            raise ConfigurationError(f"register() takes a Skill, got {type(skill).__name__}")
        if skill.name in self._skills and not replace:
            raise ConfigurationError(
                f"a skill named {skill.name!r} is already registered; pass replace=True"
            )
        self._skills[skill.name] = skill
        return skill

    def unregister(self, name: str) -> bool:
        """Remove a skill; ``False`` if it was not registered."""
        return self._skills.pop(name, None) is not None

    def get(self, name: str) -> Skill | None:
        """The skill called ``name``."""
        return self._skills.get(name)

    def list(self, *, tag: str | None = None, enabled_only: bool = True) -> list[Skill]:
        """Registered skills in registration order, optionally those with ``tag``."""
        return [
            s
            for s in self._skills.values()
            if (s.enabled or not enabled_only) and (tag is None or tag in s.metadata.tags)
        ]

    def search(self, query: str) -> builtins.list[Skill]:
        """Enabled skills whose name, description or tags contain ``query`` (case-insensitive)."""
        q = query.lower()
        return [
            s
            for s in self.list()
            if q in s.name.lower()
            or q in s.metadata.description.lower()
            or any(q in t.lower() for t in s.metadata.tags)
        ]

    def tools(self) -> builtins.list[AITool]:
        """Tool definitions of the enabled skills."""
        return [s.to_tool() for s in self.list()]

    async def handler(self, name: str, arguments: dict[str, Any]) -> str:
        """A tool handler running the enabled skill ``name``.

        Raises :class:`~roomkit.tools.compose.UnknownToolError` for other names, so the
        registry composes with other handlers through ``compose_tool_handlers``.
        """
        skill = self._skills.get(name)
        if skill is None or not skill.enabled:
            raise UnknownToolError(name, f"no enabled skill named {name!r}")
        return await skill.run(arguments)

    def __contains__(self, name: object) -> bool:
        return name in self._skills

    def __iter__(self) -> Iterator[Skill]:
        return iter(list(self._skills.values()))

    def __len__(self) -> int:
        return len(self._skills)
