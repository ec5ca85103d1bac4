"""The voice-channel example of docs/voice.md runs as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "voice.md"


def test_voice_channel_example_runs(tmp_path: Path) -> None:
    section = DOC.read_text(encoding="utf-8").split("## The voice channel", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "voice_channel_doc.py"
    path.write_text(block, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "voice said: I need help",
        "ai said: Sure. What is it about?",
    ]
    assert "played" in done.stdout
