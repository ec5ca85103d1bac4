"""Skills: folders of instructions (``SKILL.md``) and handler capabilities for AI channels."""

from roomkit.skills.errors import (
    SkillFileError,
    SkillFileNotFoundError,
    SkillParseError,
    SkillValidationError,
)
from roomkit.skills.executor import ScriptExecutor, SubprocessScriptExecutor
from roomkit.skills.models import ScriptResult, Skill, SkillHandler, SkillMetadata
from roomkit.skills.parser import parse_skill, parse_skill_metadata
from roomkit.skills.registry import SkillRegistry

__all__ = [
    "ScriptExecutor",
    "ScriptResult",
    "Skill",
    "SkillFileError",
    "SkillFileNotFoundError",
    "SkillHandler",
    "SkillMetadata",
    "SkillParseError",
    "SkillRegistry",
    "SkillValidationError",
    "SubprocessScriptExecutor",
    "parse_skill",
    "parse_skill_metadata",
]
