"""Agent skills in an AI channel: what the model is told about a
:class:`~roomkit.skills.registry.SkillRegistry` and how its skill tools are answered.

The system prompt gets a short guide and the registry's ``<available_skills>`` block; the
model gets ``activate_skill`` (a skill's instructions and the names of its scripts and
reference files), ``read_skill_reference`` and, when a script executor is set (the channel's,
else the registry's), ``run_skill_script``. Handler skills of the registry are tools too.
"""

from __future__ import annotations

from typing import Any

from roomkit.models.room import AITool
from roomkit.skills.executor import ScriptExecutor
from roomkit.skills.registry import SkillRegistry

__all__ = ["ChannelSkills"]

_GUIDE = (
    "You can use the agent skills listed below. Before following a skill, call activate_skill "
    "with its name to load its full instructions; read_skill_reference reads one of its "
    "reference files."
)
_SCRIPTS = "run_skill_script runs one of a skill's scripts and returns its output."
_NO_SCRIPTS = "Skill scripts cannot be run here."


class ChannelSkills:
    """The skills of one AI channel: prompt section, tool definitions and their handler."""

    def __init__(self, registry: SkillRegistry, script_executor: ScriptExecutor | None) -> None:
        self.registry = registry
        self.script_executor = script_executor

    @property
    def executor(self) -> ScriptExecutor | None:
        """The executor that runs skill scripts: the channel's, else the registry's."""
        return self.script_executor or self.registry.script_executor

    def prompt_section(self) -> str | None:
        """The guide and ``<available_skills>`` block for the system prompt (``None`` when
        the registry has no skill folder)."""
        xml = self.registry.to_prompt_xml()
        if not xml:
            return None
        scripts = _SCRIPTS if self.executor is not None else _NO_SCRIPTS
        return f"{_GUIDE} {scripts}\n\n{xml}"

    def tools(self) -> list[AITool]:
        """The skill tools offered to the model."""
        return self.registry.tools(script_executor=self.script_executor)

    def owns(self, name: str) -> bool:
        """Whether the tool ``name`` is one of :meth:`tools`."""
        return any(tool.name == name for tool in self.tools())

    async def handle(self, name: str, arguments: dict[str, Any]) -> str:
        """Answer a call of one of :meth:`tools`."""
        return await self.registry.call_tool(name, arguments, script_executor=self.script_executor)
