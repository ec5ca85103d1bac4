"""``make demo`` (examples/demo.py) runs and shows what it promises."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo.py"


async def test_demo_transcript(capsys: Any) -> None:
    namespace = runpy.run_path(str(DEMO), run_name="demo")
    await namespace["main"]()
    out = capsys.readouterr().out
    assert "(typing_start from bob)" in out
    assert "#1   agent" in out  # the agent answered and was stored at index 1
    assert "(part 1/2)" in out
    assert "2. Change address" in out
    assert "Location: Downtown store" in out
    assert "[duplicate: nothing stored, first event returned]" in out
    assert "my card is **** **** **** 4242" in out
    assert "4242 4242" not in out  # the clear number is neither delivered nor stored
    assert "[BLOCKED: spam]" in out
    assert "#9   ws-bob   blocked" in out
    # the last line says how to open the dev console
    assert "roomkit console --demo" in out.strip().splitlines()[-1]
