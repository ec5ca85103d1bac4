"""Allow and deny lists for the tools an AI channel offers and the calls it runs, with
per-role overrides."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from typing import Any, Literal

from pydantic import Field

from roomkit.deferred import DeferredModel
from roomkit.errors import RoomKitError
from roomkit.models.room import AITool
from roomkit.tools.compose import ToolHandler

__all__ = ["RoleOverride", "ToolDeniedError", "ToolPolicy"]


class ToolDeniedError(RoomKitError, PermissionError):
    """A tool call was refused by a :class:`ToolPolicy`."""


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in patterns)


class RoleOverride(DeferredModel):
    """How a role changes a :class:`ToolPolicy`.

    ``mode="restrict"`` (the default) can only narrow the base policy: a tool must pass the
    base policy *and* match one of ``allow`` (when given), and ``deny`` is added to the base
    deny list. ``mode="replace"`` ignores the base policy: the role's ``allow`` and ``deny``
    are the whole policy.
    """

    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    mode: Literal["restrict", "replace"] = "restrict"


class ToolPolicy(DeferredModel):
    """Which tools may be offered to a model and called by it.

    ``allow`` and ``deny`` hold glob patterns (``"crm_*"``, ``"*.delete"``); matching is
    case-sensitive. A tool is permitted when it matches no ``deny`` pattern, either ``allow``
    is empty or it matches an ``allow`` pattern, and it matches a pattern of every list in
    ``restrict_to``: deny always wins. ``role_overrides`` maps a role name to a
    :class:`RoleOverride`; :meth:`resolve` gives the policy for one role.
    """

    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    role_overrides: dict[str, RoleOverride] = Field(default_factory=dict)
    restrict_to: list[list[str]] = Field(default_factory=list)
    """Further pattern lists a tool must match (one pattern of each); :meth:`resolve` adds
    the ``allow`` list of a ``restrict`` override here."""

    def is_allowed(self, tool_name: str) -> bool:
        """Whether the tool ``tool_name`` may be offered and called."""
        if _matches(tool_name, self.deny):
            return False
        if self.allow and not _matches(tool_name, self.allow):
            return False
        return all(_matches(tool_name, patterns) for patterns in self.restrict_to)

    def as_filter(self) -> Callable[[str], bool]:
        """:meth:`is_allowed` as a predicate on tool names."""
        return self.is_allowed

    def resolve(self, role: str | None = None) -> ToolPolicy:
        """The policy for ``role``: this one with the role's override applied.

        Without a role, or for a role without an override, the policy is returned as it is.
        The result has no role overrides of its own and keeps every restriction in fields,
        so it can be copied and serialised without widening.
        """
        override = self.role_overrides.get(role) if role is not None else None
        if override is None:
            return self
        if override.mode == "replace":
            return ToolPolicy(allow=list(override.allow), deny=list(override.deny))
        restrict = [list(patterns) for patterns in self.restrict_to]
        if override.allow:
            restrict.append(list(override.allow))
        deny = [*self.deny, *(p for p in override.deny if p not in self.deny)]
        return ToolPolicy(allow=list(self.allow), deny=deny, restrict_to=restrict)

    def filter_tools(self, tools: Iterable[AITool]) -> list[AITool]:
        """The permitted subset of ``tools``, order kept."""
        return [tool for tool in tools if self.is_allowed(tool.name)]

    def check(self, tool_name: str) -> None:
        """Raise :class:`ToolDeniedError` if ``tool_name`` is not permitted."""
        if not self.is_allowed(tool_name):
            raise ToolDeniedError(f"tool {tool_name!r} is not permitted by the tool policy")

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
