"""What a skill is: its metadata, and either instructions from a folder or a handler.

Two kinds of skills share these models:

- *instruction skills* come from a folder holding a ``SKILL.md`` (frontmatter metadata, then
  Markdown instructions) and optional ``scripts/`` and ``references/`` folders; a model reads
  their instructions on demand and may run their scripts through a
  :class:`~roomkit.skills.executor.ScriptExecutor`;
- *handler skills* are Python callables offered to a model as tools.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from roomkit.deferred import DeferredModel
from roomkit.models.room import AITool
from roomkit.skills.errors import SkillFileError, SkillFileNotFoundError

__all__ = ["ScriptResult", "Skill", "SkillHandler", "SkillMetadata", "read_bounded_text"]

SkillHandler = Callable[[dict[str, Any]], Awaitable[Any] | Any]
"""Called with the tool arguments (or with them as keywords when it takes keywords only);
sync or async; the result is sent to the model as text."""

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_TOOL_SEPARATORS = {",", " ", "\t", "\n"}
SCRIPTS_DIR = "scripts"
REFERENCES_DIR = "references"
MAX_REFERENCE_BYTES = 1_000_000
"""Largest reference file :meth:`Skill.read_reference` returns."""


def split_tool_names(text: str) -> list[str]:
    """Tool names in an ``allowed-tools`` value: separated by commas or blanks, except inside
    parentheses (``Bash(git status:*)`` is one name)."""
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        if char in _TOOL_SEPARATORS and depth == 0:
            if current:
                names.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        names.append("".join(current))
    return names


def read_bounded_text(path: Path, limit: int) -> str:
    """The UTF-8 text of ``path``; :class:`SkillFileError` when it is larger than ``limit``."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise SkillFileError(f"{path} is larger than {limit} bytes")
    return data.decode("utf-8", errors="replace")


def _call_handler(handler: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """Call ``handler(arguments)``, or ``handler(**arguments)`` when it takes keywords only."""
    try:
        parameters = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return handler(arguments)
    positional = {
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.VAR_POSITIONAL,
    }
    if any(p.kind in positional for p in parameters):
        return handler(arguments)
    return handler(**arguments)


class SkillMetadata(DeferredModel):
    """What a skill is: its name and description, and optional details.

    ``license``, ``compatibility``, ``allowed_tools`` and ``extra_metadata`` come from a
    ``SKILL.md`` frontmatter; ``version``, ``parameters`` (JSON Schema of the tool arguments)
    and ``tags`` describe handler skills.
    """

    name: str
    description: str = ""
    license: str | None = None
    compatibility: str | None = None
    allowed_tools: str | None = None
    extra_metadata: dict[str, str] = Field(default_factory=dict)
    version: str = "1.0.0"
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    tags: list[str] = Field(default_factory=list)

    def __init__(
        self,
        name: str | None = None,
        description: str | None = None,
        license: str | None = None,
        compatibility: str | None = None,
        allowed_tools: str | None = None,
        extra_metadata: dict[str, str] | None = None,
        **data: Any,
    ) -> None:
        fields: dict[str, Any] = {
            "name": name,
            "description": description,
            "license": license,
            "compatibility": compatibility,
            "allowed_tools": allowed_tools,
            "extra_metadata": extra_metadata,
        }
        fields.update(data)
        super().__init__(**{k: v for k, v in fields.items() if v is not None})

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                f"skill name {value!r} must be 1-64 characters of letters, digits, '_', '.', '-'"
            )
        return value

    @property
    def gated_tool_names(self) -> list[str]:
        """The tool names listed in ``allowed_tools`` (empty when none are listed)."""
        return split_tool_names(self.allowed_tools or "")


class Skill(DeferredModel):
    """A capability: metadata plus instructions from a folder, or a handler to call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    metadata: SkillMetadata
    instructions: str = ""
    path: Path | None = None
    handler: Callable[..., Any] | None = None
    enabled: bool = True

    def __init__(
        self,
        metadata: SkillMetadata | None = None,
        instructions: str | None = None,
        path: Path | str | None = None,
        **data: Any,
    ) -> None:
        fields: dict[str, Any] = {"metadata": metadata, "instructions": instructions, "path": path}
        fields.update(data)
        super().__init__(**{k: v for k, v in fields.items() if v is not None})

    @property
    def name(self) -> str:
        """The skill's name (its tool name for handler skills)."""
        return self.metadata.name

    @property
    def description(self) -> str:
        """The skill's description."""
        return self.metadata.description

    @property
    def has_scripts(self) -> bool:
        """Whether the skill's folder has at least one script."""
        return bool(self.list_scripts())

    @property
    def has_references(self) -> bool:
        """Whether the skill's folder has at least one reference file."""
        return bool(self.list_references())

    def list_scripts(self) -> list[str]:
        """File names in the skill's ``scripts/`` folder, sorted (hidden files left out)."""
        return self._list(SCRIPTS_DIR)

    def list_references(self) -> list[str]:
        """File names in the skill's ``references/`` folder, sorted (hidden files left out)."""
        return self._list(REFERENCES_DIR)

    def read_reference(self, filename: str) -> str:
        """The text of ``references/<filename>``.

        Raises :class:`SkillFileError` for anything but a plain file name (no folders, no
        ``..``) and :class:`SkillFileNotFoundError` when the file does not exist.
        """
        return read_bounded_text(self.file_in(REFERENCES_DIR, filename), MAX_REFERENCE_BYTES)

    def file_in(self, folder: str, filename: str) -> Path:
        """The path of ``<folder>/<filename>`` in the skill, checked to be a plain file there."""
        if (
            not filename
            or filename in {".", ".."}
            or "/" in filename
            or "\\" in filename
            or "\x00" in filename
        ):
            raise SkillFileError(
                f"{filename!r} is not a plain file name; name a file directly inside {folder}/"
            )
        if self.path is None:
            raise SkillFileNotFoundError(f"skill {self.name!r} has no folder, so no {folder}/")
        target = self.path / folder / filename
        if not target.is_file():
            raise SkillFileNotFoundError(
                f"skill {self.name!r} has no {folder}/{filename}; it has {self._list(folder)}"
            )
        return target

    def _list(self, folder: str) -> list[str]:
        if self.path is None:
            return []
        directory = self.path / folder
        if not directory.is_dir():
            return []
        return sorted(
            p.name for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")
        )

    def to_tool(self) -> AITool:
        """The tool definition offered to a model (handler skills)."""
        return AITool(
            name=self.metadata.name,
            description=self.metadata.description,
            parameters=self.metadata.parameters,
        )

    async def run(self, arguments: dict[str, Any]) -> str:
        """Call the handler; non-string results are encoded as JSON."""
        if self.handler is None:
            raise SkillFileError(f"skill {self.name!r} has instructions, not a handler to call")
        result = _call_handler(self.handler, arguments)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, str):
            return result
        return json.dumps(result, default=str)


class ScriptResult(DeferredModel):
    """What running one skill script produced.

    ``metadata`` carries ``timed_out`` and ``truncated`` flags and the ``duration`` in seconds
    when a :class:`~roomkit.skills.executor.SubprocessScriptExecutor` ran the script.
    """

    exit_code: int
    stdout: str = ""
    stderr: str = ""
    success: bool = True
    metadata: dict[str, Any] = Field(default_factory=dict)
