"""The examples of docs/voice.md run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "voice.md"


def test_voice_doc_examples_run(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    # audio, pipeline and interruption examples (the last one is a plugin's hookimpl)
    script = "\n".join(blocks[:3]) + "\nprint(handler.evaluate(playback_position_ms=1200).reason)\n"
    path = tmp_path / "voice_doc.py"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "80 ms of speech" in done.stdout
    assert done.stdout.strip().endswith("awaiting transcript")
