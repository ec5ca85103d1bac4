"""docs/plugin-author-guide.md is a walk-through that works as written.

The shell blocks marked ``<!-- walkthrough -->`` are joined into one bash script (so ``cd``
and ``. venv/bin/activate`` carry over, as in the reader's terminal) and run, unchanged, from
the root of a clean copy of the checkout (``git archive`` of HEAD, nothing from the
repository's own virtualenv). The reader's Python is the one running the tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugin-author-guide.md"
MARKED = re.compile(r"<!-- walkthrough -->\n```bash\n(.*?)```", re.DOTALL)


def walkthrough() -> list[str]:
    """The guide's marked commands, in order."""
    blocks = MARKED.findall(GUIDE.read_text(encoding="utf-8"))
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_guide_says_what_to_run_first() -> None:
    commands = walkthrough()
    assert commands[0] == "python3 -m venv .author-venv"
    assert any(c.startswith("pip install") and "./kernel" in c for c in commands)
    assert commands.index("pip install --quiet build") < commands.index("python -m build")
    assert any(c.startswith("roomkit plugins new ") for c in commands)
    assert any(c.startswith("roomkit conformance ") for c in commands)
    assert not any(re.search(r"pip install (--\S+ )*roomkit-", c) for c in commands), (
        "no roomkit-* distribution is on a package index: install from the checkout"
    )


def test_the_walkthrough_runs_as_written(
    tmp_path: Path, sh: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    checkout = tmp_path / "roomkit"
    checkout.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive.stdout, check=True)
    script = "set -euxo pipefail\n" + "\n".join(walkthrough()) + "\n"
    python_dir = str(Path(sys.base_prefix) / "bin")
    done = sh(
        "bash",
        "-c",
        script,
        cwd=checkout,
        env=_reader_env(python_dir),
        timeout=1500,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-6000:]
    assert "acme" in done.stdout
    assert "<class 'roomkit_acme.channel.AcmeChannel'>" in done.stdout
    assert (checkout / "roomkit-acme" / "dist" / "roomkit_acme-0.1.0.tar.gz").exists()


def _reader_env(python_dir: str) -> dict[str, str]:
    import os

    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if ".venv" not in p]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ROOMKIT_", "PYTEST_")) and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env["PATH"] = os.pathsep.join([python_dir, *path])
    return env
