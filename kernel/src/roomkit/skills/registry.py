"""The skill registry: skill folders and handler skills, and the tools that offer them.

Skill folders are found with :meth:`SkillRegistry.discover` (each sub-folder holding a
``SKILL.md``) or added one by one with :meth:`SkillRegistry.register`. Discovery reads only
the metadata; instructions are read from disk when :meth:`get_skill` asks for them, so a
model sees the short list (:meth:`to_prompt_xml`) and loads one skill when it needs it.

Handler skills (a :class:`Skill` with a Python handler) are registered as objects and offered
to a model as tools. :meth:`tools` and :meth:`handler` plug both kinds into an AI channel::

    AIChannel("ai", provider=..., tools=registry.tools(), tool_handler=registry.handler)

For skill folders the tools are ``activate_skill`` (returns the instructions and the lists of
scripts and references), ``read_skill_reference`` and, when the registry has a
:class:`~roomkit.skills.executor.ScriptExecutor`, ``run_skill_script``.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

from roomkit.errors import ConfigurationError
from roomkit.models.room import AITool
from roomkit.skills.errors import SkillFileError, SkillParseError, SkillValidationError
from roomkit.skills.executor import ScriptExecutor
from roomkit.skills.models import Skill, SkillMetadata
from roomkit.skills.parser import find_skill_md, parse_skill, parse_skill_metadata
from roomkit.tools.compose import UnknownToolError

__all__ = [
    "ACTIVATE_SKILL_TOOL",
    "READ_REFERENCE_TOOL",
    "RUN_SCRIPT_TOOL",
    "Skill",
    "SkillMetadata",
    "SkillRegistry",
]

logger = logging.getLogger("roomkit.skills")

ACTIVATE_SKILL_TOOL = "activate_skill"
READ_REFERENCE_TOOL = "read_skill_reference"
RUN_SCRIPT_TOOL = "run_skill_script"


def _string(description: str) -> dict[str, str]:
    return {"type": "string", "description": description}


class SkillRegistry:
    """A named collection of skills: folders with a ``SKILL.md`` and handler skills."""

    def __init__(self, *, script_executor: ScriptExecutor | None = None) -> None:
        self._skills: dict[str, Skill] = {}
        self._folders: dict[str, Path] = {}
        self._metadata: dict[str, SkillMetadata] = {}
        self.script_executor = script_executor

    # -- skill folders -------------------------------------------------------------------

    def discover(self, *directories: Path | str) -> int:
        """Register every skill folder directly inside each of ``directories``.

        A sub-folder without ``SKILL.md`` is ignored; an invalid skill is skipped with a
        warning naming what to fix; a missing directory is skipped with a warning. A later
        skill with the same name replaces an earlier one (so project skills can override
        shared ones). Returns how many skill folders were registered.
        """
        count = 0
        for directory in directories:
            root = Path(directory)
            if not root.is_dir():
                logger.warning("skill directory %s does not exist or is not a folder", root)
                continue
            for folder in sorted(p for p in root.iterdir() if p.is_dir()):
                if find_skill_md(folder) is None:
                    continue
                try:
                    self.register(folder)
                except (SkillParseError, SkillValidationError) as exc:
                    logger.warning("skipping skill folder %s: %s", folder, exc)
                    continue
                count += 1
        return count

    def register(
        self, skill: Skill | Path | str | os.PathLike[str], *, replace: bool = False
    ) -> Any:
        """Add a skill folder (returns its :class:`SkillMetadata`) or a :class:`Skill`.

        A folder replaces a registered skill of the same name. A :class:`Skill` object with
        the name of a registered one needs ``replace=True``; it is returned.
        """
        if isinstance(skill, Skill):
            return self._register_skill(skill, replace=replace)
        if isinstance(skill, str | os.PathLike):
            return self._register_folder(Path(skill))
        raise ConfigurationError(
            f"register() takes a Skill or a skill folder path, got {type(skill).__name__}"
        )

    def _register_folder(self, folder: Path) -> SkillMetadata:
        metadata = parse_skill_metadata(folder)
        if metadata.name in self:
            logger.info(
                "skill %r from %s replaces the one registered before", metadata.name, folder
            )
        self._skills.pop(metadata.name, None)
        self._folders[metadata.name] = folder.resolve()
        self._metadata[metadata.name] = metadata
        return metadata

    def _register_skill(self, skill: Skill, *, replace: bool) -> Skill:
        if skill.name in self and not replace:
            raise ConfigurationError(
                f"a skill named {skill.name!r} is already registered; pass replace=True"
            )
        self._folders.pop(skill.name, None)
        self._metadata[skill.name] = skill.metadata
        self._skills[skill.name] = skill
        return skill

    def unregister(self, name: str) -> bool:
        """Remove a skill; ``False`` if it was not registered."""
        found = name in self
        self._skills.pop(name, None)
        self._folders.pop(name, None)
        self._metadata.pop(name, None)
        return found

    # -- lookups -------------------------------------------------------------------------

    def get_skill(self, name: str) -> Skill | None:
        """The skill called ``name``, with its instructions read from disk now (``None`` if
        unknown)."""
        folder = self._folders.get(name)
        if folder is not None:
            return parse_skill(folder)
        return self._skills.get(name)

    def get(self, name: str) -> Skill | None:
        """Same as :meth:`get_skill`."""
        return self.get_skill(name)

    def get_metadata(self, name: str) -> SkillMetadata | None:
        """The metadata of the skill called ``name`` (``None`` if unknown)."""
        return self._metadata.get(name)

    def all_metadata(self) -> builtins.list[SkillMetadata]:
        """Metadata of every registered skill, in registration order."""
        return list(self._metadata.values())

    @property
    def skill_names(self) -> builtins.list[str]:
        """Names of the registered skills, in registration order."""
        return list(self._metadata)

    @property
    def skill_count(self) -> int:
        """How many skills are registered."""
        return len(self._metadata)

    def list(self, *, tag: str | None = None, enabled_only: bool = True) -> builtins.list[Skill]:
        """Registered handler skills in registration order, optionally those with ``tag``."""
        return [
            s
            for s in self._skills.values()
            if (s.enabled or not enabled_only) and (tag is None or tag in s.metadata.tags)
        ]

    def search(self, query: str) -> builtins.list[Skill]:
        """Enabled handler skills whose name, description or tags contain ``query``."""
        q = query.lower()
        return [
            s
            for s in self.list()
            if q in s.name.lower()
            or q in s.metadata.description.lower()
            or any(q in t.lower() for t in s.metadata.tags)
        ]

    # -- what a model sees -----------------------------------------------------------------

    def to_prompt_xml(self) -> str:
        """The skill folders as an ``<available_skills>`` block for a system prompt.

        Empty when no skill folder is registered. Text is XML-escaped.
        """
        if not self._folders:
            return ""
        lines = ["<available_skills>"]
        for name in self._folders:
            meta = self._metadata[name]
            lines.append(f'  <skill name="{escape(name)}">')
            lines.append(f"    <description>{escape(meta.description)}</description>")
            if meta.license:
                lines.append(f"    <license>{escape(meta.license)}</license>")
            if meta.compatibility:
                lines.append(f"    <compatibility>{escape(meta.compatibility)}</compatibility>")
            lines.append("  </skill>")
        lines.append("</available_skills>")
        return "\n".join(lines)

    def tools(self, *, script_executor: ScriptExecutor | None = None) -> builtins.list[AITool]:
        """Tool definitions: each enabled handler skill, and the skill-folder tools.

        ``run_skill_script`` is offered when ``script_executor`` or the registry's own
        executor is set.
        """
        tools = [s.to_tool() for s in self.list()]
        if not self._folders:
            return tools
        tools.append(
            AITool(
                name=ACTIVATE_SKILL_TOOL,
                description="Load a skill's full instructions and the names of its scripts "
                "and reference files. Call it before using a skill listed in available_skills.",
                parameters={
                    "type": "object",
                    "properties": {"name": _string("Name of the skill.")},
                    "required": ["name"],
                },
            )
        )
        tools.append(
            AITool(
                name=READ_REFERENCE_TOOL,
                description="Read one reference file of a skill.",
                parameters={
                    "type": "object",
                    "properties": {
                        "skill_name": _string("Name of the skill."),
                        "filename": _string("File name from the skill's references list."),
                    },
                    "required": ["skill_name", "filename"],
                },
            )
        )
        if (script_executor or self.script_executor) is not None:
            tools.append(
                AITool(
                    name=RUN_SCRIPT_TOOL,
                    description="Run one script of a skill and get its output.",
                    parameters={
                        "type": "object",
                        "properties": {
                            "skill_name": _string("Name of the skill."),
                            "script_name": _string("File name from the skill's scripts list."),
                            "arguments": {
                                "type": "object",
                                "description": "Named arguments, passed as --name value.",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                        "required": ["skill_name", "script_name"],
                    },
                )
            )
        return tools

    async def handler(self, name: str, arguments: dict[str, Any]) -> str:
        """A tool handler for the tools of :meth:`tools`.

        Raises :class:`~roomkit.tools.compose.UnknownToolError` for other names, so the
        registry composes with other handlers through ``compose_tool_handlers``. Mistakes a
        model can correct (unknown skill, bad file name) come back as a JSON ``error``.
        """
        return await self.call_tool(name, arguments)

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any],
        *,
        script_executor: ScriptExecutor | None = None,
    ) -> str:
        """As :meth:`handler`, running scripts with ``script_executor`` when given (else the
        registry's own executor)."""
        executor = script_executor or self.script_executor
        if self._folders and name in {ACTIVATE_SKILL_TOOL, READ_REFERENCE_TOOL, RUN_SCRIPT_TOOL}:
            if name == RUN_SCRIPT_TOOL and executor is None:
                raise UnknownToolError(name, "this registry has no script executor")
            try:
                return await self._folder_tool(name, arguments, executor)
            except (SkillFileError, SkillParseError, SkillValidationError) as exc:
                return json.dumps({"error": str(exc)})
        skill = self._skills.get(name)
        if skill is None or not skill.enabled:
            raise UnknownToolError(name, f"no enabled skill named {name!r}")
        return await skill.run(arguments)

    async def _folder_tool(
        self, name: str, arguments: dict[str, Any], executor: ScriptExecutor | None
    ) -> str:
        skill_name = str(arguments.get("name") or arguments.get("skill_name") or "")
        if skill_name not in self._folders:
            raise SkillFileError(
                f"no skill folder named {skill_name!r}; available: {list(self._folders)}"
            )
        skill = parse_skill(self._folders[skill_name])
        if name == ACTIVATE_SKILL_TOOL:
            return json.dumps(
                {
                    "name": skill.name,
                    "instructions": skill.instructions,
                    "scripts": skill.list_scripts(),
                    "references": skill.list_references(),
                    "allowed_tools": skill.metadata.gated_tool_names,
                }
            )
        if name == READ_REFERENCE_TOOL:
            return skill.read_reference(str(arguments.get("filename", "")))
        assert executor is not None
        raw_arguments = arguments.get("arguments") or {}
        if not isinstance(raw_arguments, dict):
            raise SkillFileError("'arguments' must be an object of names to string values")
        result = await executor.execute(
            skill,
            str(arguments.get("script_name", "")),
            {str(k): str(v) for k, v in raw_arguments.items()},
        )
        return result.model_dump_json()

    def __contains__(self, name: object) -> bool:
        return name in self._metadata

    def __iter__(self) -> Iterator[Skill]:
        return iter(list(self._skills.values()))

    def __len__(self) -> int:
        return len(self._metadata)
