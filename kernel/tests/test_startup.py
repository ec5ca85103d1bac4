"""What importing RoomKit loads: only what the import needs (see docs on start-up cost).

These tests pin the import structure, not timings: a module listed here coming back into the
main import would cost every program that uses RoomKit its import time again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MAIN_IMPORT = "from roomkit import RoomKit, WebSocketChannel, InboundMessage, TextContent"


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_import_roomkit_does_not_load_typing() -> None:
    loaded = _modules_after("import roomkit")
    assert "typing" not in loaded
    assert {m for m in loaded if m.startswith("roomkit")} == {"roomkit", "roomkit.lazy"}


@pytest.mark.parametrize(
    "module",
    [
        "roomkit.models.streaming",  # stream messages: built by WebSocketChannel.deliver_stream
        "roomkit.models.conversation",  # conversation state: greetings, orchestration
        "roomkit.models.delivery",  # delivery reports: webhooks
        "roomkit.core.webhooks",
        "roomkit.core.source_runner",  # loads with the first attach_source
        "roomkit.plugins.catalogue",  # no entry-point scan at import
        "importlib.metadata",
        "pluggy",
        "roomkit.models.ai",
    ],
)
def test_the_main_import_leaves_out(module: str) -> None:
    assert module not in _modules_after(MAIN_IMPORT)


def test_lazily_loaded_models_work_after_the_main_import() -> None:
    code = f"""
import asyncio
{MAIN_IMPORT}
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.enums import ChannelType

async def main() -> None:
    ws = WebSocketChannel("ws")
    got = []

    async def plain(payload):
        got.append(type(payload).__name__)

    async def stream(connection_id, message):
        got.append(message.type)

    ws.register_connection("a", plain, stream_send_fn=stream)
    event = RoomEvent(
        room_id="r1",
        source=EventSource(channel_id="ai", channel_type=ChannelType.AI),
        content=TextContent(body=""),
    )

    async def pieces():
        yield "hel"
        yield "lo"

    await ws.deliver_stream(pieces(), event, None, None)
    from roomkit.models.streaming import StreamEnd
    print(got, StreamEnd.model_json_schema()["title"])

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "['stream_start',",
        "'stream_chunk',",
        "'stream_chunk',",
        "'stream_end']",
        "StreamEnd",
    ]


MODEL_MODULES = [
    "content",
    "context",
    "conversation",
    "delivery",
    "event",
    "hooks",
    "participant",
    "room",
    "streaming",
    "task",
]


@pytest.mark.parametrize("name", MODEL_MODULES)
def test_model_modules_evaluate_annotations_at_class_creation(name: str) -> None:
    """With ``from __future__ import annotations`` pydantic compiles and evaluates every
    field annotation string when the class is made; these modules load on the main import,
    so their annotations are plain expressions (forward references quoted)."""
    import roomkit.models

    path = Path(roomkit.models.__file__).parent / f"{name}.py"
    assert "from __future__ import annotations" not in path.read_text()
