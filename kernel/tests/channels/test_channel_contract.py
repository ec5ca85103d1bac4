"""The Channel base: text extraction, provider name, ``info`` both ways, protocol traces and
the kit relaying them to ``ON_PROTOCOL_TRACE`` hooks."""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit import (
    AIChannel,
    AudioContent,
    CompositeContent,
    EditContent,
    EventSource,
    HookExecution,
    HookTrigger,
    MediaContent,
    MockAIProvider,
    ProtocolTrace,
    RichContent,
    RoomEvent,
    RoomKit,
    TextContent,
    WebSocketChannel,
)
from roomkit.channels.base import Channel, ChannelInfo
from roomkit.models.enums import ChannelType


def _event(content: Any) -> RoomEvent:
    return RoomEvent(
        room_id="r",
        source=EventSource(channel_id="c", channel_type=ChannelType.SMS),
        content=content,
    )


def test_extract_text_reads_what_a_person_would_read() -> None:
    text = TextContent(body="hello")
    assert Channel.extract_text(_event(text)) == "hello"
    assert Channel.extract_text(_event(RichContent(body="**b**", plain_text="b"))) == "b"
    assert Channel.extract_text(_event(AudioContent(url="u", transcript="said"))) == "said"
    media = MediaContent(url="u", mime_type="image/png", caption="a cat")
    assert Channel.extract_text(_event(media)) == "a cat"
    assert Channel.extract_text(_event(MediaContent(url="u", mime_type="image/png"))) == ""
    edit = EditContent(target_event_id="e", new_content=TextContent(body="fixed"))
    assert Channel.extract_text(_event(edit)) == "fixed"
    both = CompositeContent(parts=[text, media])
    assert Channel.extract_text(_event(both)) == "hello\na cat"


def test_provider_name_and_info_as_property_or_call() -> None:
    ws = WebSocketChannel("ws")
    assert ws.provider_name is None
    ai = AIChannel("ai", provider=MockAIProvider())
    assert ai.provider_name == "mock"
    info = ws.info
    assert isinstance(info, ChannelInfo)
    assert info["channel_id"] == "ws"  # 0.6.7: a property
    assert ws.info() == info  # earlier RoomKit: a method
    assert ai.info["provider"] == "mock"  # a subclass's own info() becomes the property too


async def test_traces_reach_observers_only_while_someone_observes() -> None:
    channel = WebSocketChannel("ws")
    assert not channel.trace_enabled
    sync_seen: list[str] = []
    async_seen: list[str] = []
    done = asyncio.Event()
    wanted = {"on": False}

    async def later(trace: ProtocolTrace) -> None:
        async_seen.append(trace.summary)
        done.set()

    channel.on_trace(lambda t: sync_seen.append(t.summary), protocols=["sip"])
    channel.on_trace(later, when=lambda: wanted["on"])
    assert channel.trace_enabled
    channel.emit_trace(
        ProtocolTrace(channel_id="ws", direction="inbound", protocol="ws", summary="a")
    )
    channel.emit_trace(
        ProtocolTrace(channel_id="ws", direction="inbound", protocol="sip", summary="b")
    )
    wanted["on"] = True
    channel.emit_trace(
        ProtocolTrace(channel_id="ws", direction="outbound", protocol="ws", summary="c")
    )
    await asyncio.wait_for(done.wait(), timeout=30)
    assert sync_seen == ["b"]
    assert async_seen == ["c"]


async def test_a_failing_observer_is_logged(caplog: Any) -> None:
    channel = WebSocketChannel("ws")

    def broken(trace: ProtocolTrace) -> None:
        raise RuntimeError("observer bug")

    channel.on_trace(broken)
    channel.emit_trace(
        ProtocolTrace(channel_id="ws", direction="inbound", protocol="ws", summary="x")
    )
    assert "observer bug" in caplog.text


class SessionChannel(WebSocketChannel):
    """Resolves the room of its sessions once told (a voice channel would)."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(channel_id)
        self.sessions: dict[str, str] = {}

    def resolve_trace_room(self, session_id: str | None) -> str | None:
        return self.sessions.get(session_id or "")


async def test_the_kit_relays_traces_to_protocol_trace_hooks() -> None:
    kit = RoomKit()
    channel = kit.register_channel(SessionChannel("voice"))
    assert not channel.trace_enabled  # no ON_PROTOCOL_TRACE hook: nobody observes
    await kit.create_room("r1")
    seen: list[tuple[str, str]] = []

    @kit.hook(HookTrigger.ON_PROTOCOL_TRACE, execution=HookExecution.ASYNC)
    async def record(trace: ProtocolTrace, ctx: Any) -> None:
        seen.append((trace.summary, ctx.room.id))

    assert channel.trace_enabled

    def trace(summary: str, **fields: Any) -> ProtocolTrace:
        return ProtocolTrace(
            channel_id="voice", direction="inbound", protocol="sip", summary=summary, **fields
        )

    channel.emit_trace(trace("INVITE", session_id="s1"))  # room unknown yet: waits
    channel.emit_trace(trace("lost"))  # no room, no session: dropped
    channel.emit_trace(trace("direct", room_id="r1"))
    channel.sessions["s1"] = "r1"
    channel.emit_trace(trace("200 OK", session_id="s1"))
    await kit.drain()
    assert sorted(seen) == [("200 OK", "r1"), ("INVITE", "r1"), ("direct", "r1")]
    assert seen.index(("INVITE", "r1")) < seen.index(("200 OK", "r1"))  # a session's order
