"""The docs site builds with ``mkdocs build --strict``: a broken link, a broken anchor or a
page left out of the nav fails the build (and this test)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = Path(sys.executable).parent / "mkdocs"


def _build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    if not MKDOCS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("mkdocs is missing on CI: requirements-dev.txt must install it")
        pytest.skip("mkdocs is not installed (make install)")
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def test_the_docs_site_builds_in_strict_mode(tmp_path: Path) -> None:
    done = _build(ROOT, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "console" / "index.html").exists()


@pytest.mark.parametrize(
    ("addition", "complaint"),
    [
        ("See [the missing page](no-such-page.md).", "no-such-page.md"),
        ("See [rooms](rooms.md#no-such-section).", "no-such-section"),
    ],
)
def test_a_broken_link_fails_the_build(tmp_path: Path, addition: str, complaint: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    index = project / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + f"\n\n{addition}\n", encoding="utf-8")
    done = _build(project, tmp_path / "site")
    assert done.returncode != 0
    assert complaint in done.stderr
