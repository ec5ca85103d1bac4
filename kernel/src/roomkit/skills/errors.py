"""Errors raised while loading skill folders and using their files."""

from __future__ import annotations

from pathlib import Path

from roomkit.errors import RoomKitError

__all__ = ["SkillFileError", "SkillFileNotFoundError", "SkillParseError", "SkillValidationError"]


class SkillParseError(RoomKitError, ValueError):
    """A skill folder has no ``SKILL.md``, or its frontmatter cannot be read."""


class SkillValidationError(RoomKitError, ValueError):
    """A ``SKILL.md`` was read but its metadata breaks the rules; ``problems`` lists each one."""

    def __init__(self, folder: Path | str, problems: list[str]) -> None:
        self.folder = Path(folder)
        self.problems = list(problems)
        super().__init__(f"invalid skill in {self.folder}: " + "; ".join(self.problems))


class SkillFileError(RoomKitError, ValueError):
    """A reference or script name is not a plain file name inside the skill's folder."""


class SkillFileNotFoundError(SkillFileError, FileNotFoundError):
    """The skill has no reference or script of that name."""
