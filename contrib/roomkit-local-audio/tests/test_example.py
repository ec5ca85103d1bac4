"""examples/local_voice.py runs headless (--simulate) with the real local models.

It needs the local speech plugins (roomkit-audio, roomkit-sherpa-onnx, roomkit-whisper) and
espeak-ng / sox for the question: skipped where they are missing, failing under CI=true.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from roomkit.voice.pcm import rms
from roomkit.voice.wav import decode_wav

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "local_voice.py"
NEEDS = ("roomkit_audio", "roomkit_sherpa_onnx", "roomkit_whisper")


def _require() -> None:
    missing = [m for m in NEEDS if importlib.util.find_spec(m) is None]
    missing += [p for p in ("espeak-ng", "sox") if shutil.which(p) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"missing for the local voice example: {', '.join(missing)}")
        pytest.skip(f"missing for the local voice example: {', '.join(missing)}")


def test_the_example_hears_the_question_and_speaks_the_reply(tmp_path: Path) -> None:
    _require()
    raw, question, reply = tmp_path / "raw.wav", tmp_path / "q.wav", tmp_path / "reply.wav"
    subprocess.run(
        ["espeak-ng", "-s", "140", "-w", str(raw), "When do you open tomorrow"],
        check=True,
        timeout=60,
    )
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(question)],
        check=True,
        timeout=60,
    )
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "--simulate", str(question), "--record", str(reply)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    said = [line for line in lines if line.startswith("you said:")]
    assert len(said) == 1
    assert "open tomorrow" in said[0].lower()
    assert "agent says: Hello! I heard you." in lines
    audio = decode_wav(reply.read_bytes())
    assert audio.duration_ms > 800
    assert rms(audio.data) > 300
