"""Helpers that write skill folders into a temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SkillMaker = Callable[..., Path]


@pytest.fixture
def make_skill(tmp_path: Path) -> SkillMaker:
    """``make_skill(folder, frontmatter, body="", scripts={}, references={}, root=...)``."""

    def make(
        folder: str,
        frontmatter: str,
        body: str = "Instructions.",
        *,
        scripts: dict[str, str] | None = None,
        references: dict[str, str] | None = None,
        root: str = "skills",
    ) -> Path:
        path = tmp_path / root / folder
        path.mkdir(parents=True)
        (path / "SKILL.md").write_text(f"---\n{frontmatter}\n---\n{body}", encoding="utf-8")
        for sub, files in (("scripts", scripts), ("references", references)):
            if files:
                (path / sub).mkdir()
                for name, text in files.items():
                    (path / sub / name).write_text(text, encoding="utf-8")
        return path

    return make
