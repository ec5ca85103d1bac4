"""Allow and deny lists for the tools an AI channel offers and the calls it runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from typing import Any

from pydantic import BaseModel, Field

from roomkit.errors import RoomKitError
from roomkit.models.room import AITool
from roomkit.tools.compose import ToolHandler

__all__ = ["ToolDeniedError", "ToolPolicy"]


class ToolDeniedError(RoomKitError, PermissionError):
    """A tool call was refused by a :class:`ToolPolicy`."""


class ToolPolicy(BaseModel):
    """Which tools may be offered to a model and called by it.

    ``allow`` and ``deny`` hold glob patterns (``"crm_*"``, ``"*.delete"``); matching is
    case-sensitive. A tool is permitted when it matches no ``deny`` pattern and either
    ``allow`` is empty or it matches an ``allow`` pattern: deny always wins.
    """

    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)

    def is_allowed(self, name: str) -> bool:
        """Whether the tool ``name`` may be offered and called."""
        if any(fnmatchcase(name, pattern) for pattern in self.deny):
            return False
        return not self.allow or any(fnmatchcase(name, pattern) for pattern in self.allow)

    def filter_tools(self, tools: Iterable[AITool]) -> list[AITool]:
        """The permitted subset of ``tools``, order kept."""
        return [tool for tool in tools if self.is_allowed(tool.name)]

    def check(self, name: str) -> None:
        """Raise :class:`ToolDeniedError` if ``name`` is not permitted."""
        if not self.is_allowed(name):
            raise ToolDeniedError(f"tool {name!r} is not permitted by the tool policy")

    def wrap(self, handler: ToolHandler) -> ToolHandler:
        """A handler that refuses calls this policy does not permit, then delegates."""

        async def guarded(name: str, arguments: dict[str, Any]) -> str:
            self.check(name)
            return await handler(name, arguments)

        return guarded

    @classmethod
    def allow_only(cls, patterns: Sequence[str]) -> ToolPolicy:
        """A policy permitting only tools matching ``patterns``."""
        return cls(allow=list(patterns))
