"""``llms.txt`` and ``AGENTS.md`` are generated from docs/ (scripts/gen_ai_docs.py): the files
at the root and in the kernel package match what the docs give now, and ``roomkit`` returns
them."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from roomkit import get_agents_md, get_ai_context, get_llms_txt

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_ai_docs.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_ai_docs", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_generated_files_have_not_drifted() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{done.stderr}(run: python scripts/gen_ai_docs.py)"


def test_roomkit_returns_the_generated_files() -> None:
    assert get_llms_txt() == (ROOT / "llms.txt").read_text(encoding="utf-8")
    assert get_agents_md() == (ROOT / "AGENTS.md").read_text(encoding="utf-8")
    context = get_ai_context()
    assert context.index(get_llms_txt().rstrip()) < context.index(get_agents_md().rstrip())


def test_every_docs_page_is_in_the_map_with_its_first_sentence() -> None:
    llms = get_llms_txt()
    agents = get_agents_md()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        link = f"(docs/{page.relative_to(ROOT / 'docs').as_posix()})"
        assert link in llms, page
        assert link in agents, page
    assert "- [Dev console](docs/console.md): `roomkit console` serves a small web page" in llms
    assert "## Ground rules" in agents
    assert "## Working on the RoomKit repository" in agents


def test_a_docs_change_is_drift(tmp_path: Path) -> None:
    generator = _generator()
    for name in ("llms.txt", "AGENTS.md", "mkdocs.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    package = tmp_path / "kernel" / "src" / "roomkit" / "_docs"
    shutil.copytree(ROOT / "kernel" / "src" / "roomkit" / "_docs", package)
    assert generator.drifted(tmp_path) == []

    rooms = tmp_path / "docs" / "rooms.md"
    text = rooms.read_text(encoding="utf-8")
    rooms.write_text(text.replace("A **room** is one conversation.", "A room is a chat."))
    assert {p.name for p in generator.drifted(tmp_path)} == {"llms.txt", "AGENTS.md"}
    assert "- [Rooms](docs/rooms.md): A room is a chat." in generator.render(tmp_path)["llms.txt"]

    guide = tmp_path / "docs" / "ai-assistants.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("## Patterns", "## Recipes"))
    with pytest.raises(SystemExit, match="Patterns"):
        generator.render(tmp_path)
