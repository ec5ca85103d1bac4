"""Room and binding settings: metadata merges, access, visibility, the channel told."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    Access,
    ChannelBinding,
    InboundMessage,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.errors import ChannelNotFoundError, ConfigurationError, RoomNotFoundError


class Watching(WebSocketChannel):
    """A channel that records the bindings the kit tells it about."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(channel_id)
        self.told: list[ChannelBinding] = []

    def update_binding(self, room_id: str, binding: ChannelBinding) -> None:
        self.told.append(binding)


async def _kit() -> tuple[RoomKit, Watching]:
    kit = RoomKit()
    watching = Watching("ws")
    kit.register_channel(watching)
    kit.register_channel(WebSocketChannel("other"))
    await kit.create_room("r1", {"a": 1, "b": 2})
    await kit.attach_channel("r1", "ws", metadata={"x": 1})
    await kit.attach_channel("r1", "other")
    return kit, watching


async def test_room_metadata_updates_merge_top_level_keys() -> None:
    kit, _ = await _kit()
    room = await kit.update_room_metadata("r1", {"b": 3, "c": 4})
    assert room.metadata == {"a": 1, "b": 3, "c": 4}
    assert (await kit.get_room("r1")).metadata == {"a": 1, "b": 3, "c": 4}
    with pytest.raises(RoomNotFoundError):
        await kit.update_room_metadata("missing", {"k": 1})
    with pytest.raises(ConfigurationError, match="dict"):
        await kit.update_room_metadata("r1", ["not", "a", "dict"])  # type: ignore[arg-type]


async def test_concurrent_metadata_updates_keep_every_key() -> None:
    kit, _ = await _kit()
    await asyncio.gather(*(kit.update_room_metadata("r1", {f"k{i}": i}) for i in range(20)))
    metadata = (await kit.get_room("r1")).metadata
    assert all(metadata[f"k{i}"] == i for i in range(20))


async def test_binding_changes_are_stored_and_told_to_the_channel() -> None:
    kit, watching = await _kit()
    binding = await kit.update_binding_metadata("r1", "ws", {"y": 2})
    assert binding.metadata == {"x": 1, "y": 2}
    assert (await kit.set_access("r1", "ws", Access.READ_ONLY)).access == Access.READ_ONLY
    assert (await kit.set_visibility("r1", "ws", "transport")).visibility == "transport"
    await kit.mute("r1", "ws")
    stored = await kit.get_binding("r1", "ws")
    assert (stored.access, stored.visibility, stored.muted) == (Access.READ_ONLY, "transport", True)
    assert [b.metadata for b in watching.told[:1]] == [{"x": 1, "y": 2}]
    assert [b.access for b in watching.told[1:]] == [Access.READ_ONLY] * 3
    assert watching.told[-1].muted
    with pytest.raises(ChannelNotFoundError):
        await kit.set_access("r1", "nope", Access.NONE)
    with pytest.raises(ConfigurationError, match="visibility"):
        await kit.set_visibility("r1", "ws", "  ")


async def test_read_only_access_refuses_the_channels_messages() -> None:
    kit, _ = await _kit()
    await kit.set_access("r1", "ws", Access.READ_ONLY)
    result = await kit.process_inbound(
        InboundMessage(channel_id="ws", sender_id="u", content=TextContent(body="hi")),
        room_id="r1",
    )
    assert result.blocked
    assert "read_only" in (result.reason or "")


async def test_a_channel_failing_to_follow_a_change_does_not_undo_it(caplog: Any) -> None:
    kit, watching = await _kit()

    def broken(room_id: str, binding: ChannelBinding) -> None:
        raise RuntimeError("cannot follow")

    watching.update_binding = broken  # type: ignore[method-assign]
    binding = await kit.set_visibility("r1", "ws", "intelligence")
    assert binding.visibility == "intelligence"
    assert "failed to take its new binding" in caplog.text
