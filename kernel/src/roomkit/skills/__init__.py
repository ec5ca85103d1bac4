"""Skills: capabilities offered to AI channels as tools."""

from roomkit.skills.registry import Skill, SkillHandler, SkillMetadata, SkillRegistry

__all__ = ["Skill", "SkillHandler", "SkillMetadata", "SkillRegistry"]
