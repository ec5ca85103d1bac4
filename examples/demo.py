"""A live multi-channel conversation on the in-memory defaults (``make demo``).

Two people chat in a browser (WebSocket), a third follows by SMS (text only, 70 characters
per message) and an AI agent answers. Everything runs in one process with no network: the
WebSocket "connections" and the SMS "provider" are callbacks that print what they receive.

The transcript shows, for every stored event, its index in the room, the channel it came
from and its content; below each, what every other channel received (after transcoding).
"""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit import (
    Agent,
    ChannelBinding,
    ChannelCapabilities,
    ChannelCategory,
    ChannelType,
    EphemeralEvent,
    HookResult,
    HookTrigger,
    InboundMessage,
    LocationContent,
    MediaContent,
    MockAIProvider,
    RichButton,
    RichContent,
    RoomContext,
    RoomEvent,
    RoomKit,
    TextContent,
    TransportChannel,
    WebSocketChannel,
)
from roomkit.core.transcoding import content_to_text

ROOM = "support-42"
WIDTH = 72


def show(content: Any) -> str:
    """One line per content line, indented under the transcript entry."""
    return content_to_text(content).replace("\n", "\n" + " " * 14)


class DemoSMS(TransportChannel):
    """An SMS-like transport: text only, 70 characters, 'sent' by printing."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(
            channel_id,
            channel_type=ChannelType.SMS,
            capabilities=ChannelCapabilities(max_length=70),
        )
        self.count = 0

    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        self.count += 1
        part = event.metadata.get("part")
        label = f" (part {part}/{event.metadata['parts']})" if part else ""
        print(f"      -> sms to {self.recipient(binding)}{label}: {show(event.content)}")
        return f"SM{self.count:04d}"


def websocket_user(name: str) -> Any:
    async def send(connection_id: str, payload: Any) -> None:
        if isinstance(payload, EphemeralEvent):
            print(f"      -> {name}'s browser: ({payload.type.value} from {payload.user_id})")
        else:
            kind = type(payload.content).__name__
            print(f"      -> {name}'s browser [{kind}]: {show(payload.content)}")

    return send


async def say(kit: RoomKit, channel_id: str, sender: str, content: Any, **kw: Any) -> None:
    result = await kit.process_inbound(
        InboundMessage(channel_id=channel_id, sender_id=sender, content=content, **kw),
        room_id=ROOM,
    )
    for event in [result.event, *result.responses]:
        if event is None:
            continue
        status = "" if not result.blocked else f"  [BLOCKED: {result.reason}]"
        if result.duplicate:
            status = "  [duplicate: nothing stored, first event returned]"
        who = event.source.participant_id or event.source.channel_id
        print(
            f"  #{event.index:<3} {event.source.channel_id:<8} {who:<8} "
            f"{show(event.content)}{status}"
        )


async def main() -> None:
    kit = RoomKit()

    # Channels: two browsers, one phone, one AI agent.
    for user in ("alice", "bob"):
        kit.register_channel(WebSocketChannel(f"ws-{user}"))
        await kit.connect_websocket(f"ws-{user}", f"{user}-tab", websocket_user(user))
    kit.register_channel(DemoSMS("sms"))
    kit.register_channel(
        Agent(
            "agent",
            provider=MockAIProvider(
                responses=[
                    "Happy to help! Your order #1234 left the warehouse this morning.",
                    "You can pick it up at the downtown store after 3 pm.",
                    "Please never share card numbers here; only the last four digits were kept.",
                ]
            ),
            role="Support agent",
            system_prompt="You answer questions about orders.",
        )
    )

    # A compliance hook: card numbers never reach the store or anyone's screen in clear.
    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="mask_card_numbers", priority=10)
    async def mask_card_numbers(event: RoomEvent, ctx: RoomContext) -> HookResult:
        body = getattr(event.content, "body", "")
        digits = [i for i, ch in enumerate(body) if ch.isdigit()]
        if len(digits) < 12:
            return HookResult.allow()
        chars = list(body)
        for i in digits[:-4]:
            chars[i] = "*"
        # model_validate, not model_copy: a copy skips validation. (The engine checks what a
        # hook returns anyway, and treats an invalid event as that hook's failure.)
        masked = RoomEvent.model_validate(
            {**event.model_dump(), "content": TextContent(body="".join(chars))}
        )
        return HookResult.modify(masked)

    # A moderation hook: spam is stopped (stored as blocked, delivered to nobody).
    @kit.hook(HookTrigger.BEFORE_BROADCAST, name="no_spam")
    async def no_spam(event: RoomEvent, ctx: RoomContext) -> HookResult:
        body = getattr(event.content, "body", "").lower()
        if "free crypto" in body:
            return HookResult.block("spam")
        return HookResult.allow()

    # The room and its bindings.
    await kit.create_room(room_id=ROOM)
    await kit.attach_channel(ROOM, "ws-alice")
    await kit.attach_channel(ROOM, "ws-bob")
    await kit.attach_channel(ROOM, "sms", metadata={"to": "+1 555 0100 (carol)"})
    await kit.attach_channel(ROOM, "agent", category=ChannelCategory.INTELLIGENCE)

    print("=" * WIDTH)
    print(f"Room {ROOM}: alice + bob on WebSocket, carol on SMS (70 chars), an AI agent")
    print("=" * WIDTH)

    print("\n(ephemeral) bob is typing ...")
    await kit.publish_typing(ROOM, "bob", channel_id="ws-bob")

    print("\n1. alice asks (the agent answers; everyone else receives both):")
    await say(kit, "ws-alice", "alice", TextContent(body="Hi! Where is my order #1234?"))

    print("\n2. bob sends rich content with buttons (SMS gets plain text + a list):")
    await kit.mute(ROOM, "agent")  # a human takes over: the agent stays quiet
    rich = RichContent(
        body="**Order #1234** is on its way. Choose what to do next:",
        buttons=[RichButton(label="Track it"), RichButton(label="Change address")],
    )
    await say(kit, "ws-bob", "bob", rich)

    print("\n3. bob shares a photo and a location (text fallbacks on SMS):")
    photo = MediaContent(
        url="https://cdn.example.com/p/label.jpg", mime_type="image/jpeg", caption="Label"
    )
    await say(kit, "ws-bob", "bob", photo)
    place = LocationContent(latitude=45.5019, longitude=-73.5674, label="Downtown store")
    await say(kit, "ws-bob", "bob", place)

    print("\n4. carol replies by SMS, twice with the same message id (idempotency):")
    await kit.unmute(ROOM, "agent")
    text = TextContent(body="Can I pick it up instead?")
    await say(kit, "sms", "carol", text, idempotency_key="SM-carol-1")
    await say(kit, "sms", "carol", text, idempotency_key="SM-carol-1")

    print("\n5. alice pastes a card number (masked by the compliance hook before it is stored):")
    await say(kit, "ws-alice", "alice", TextContent(body="my card is 4242 4242 4242 4242"))

    print("\n6. bob's account posts spam (blocked by the moderation hook, never delivered):")
    await say(kit, "ws-bob", "bob", TextContent(body="FREE CRYPTO at example.com"))

    print("\n" + "=" * WIDTH)
    print("Stored timeline (index, channel, status):")
    for event in await kit.get_timeline(ROOM, limit=100):
        print(
            f"  #{event.index:<3} {event.source.channel_id:<8} {event.status.value:<9} "
            f"{content_to_text(event.content)[:44]!r}"
        )
    print("=" * WIDTH)
    await kit.close()
    # The last line: how to watch a room live (chat, hooks, handoffs, tool calls) in a browser.
    print(
        "Next: chat with agents and watch every event live in your browser: "
        ".venv/bin/roomkit console --demo  (then open http://127.0.0.1:8765/)"
    )


if __name__ == "__main__":
    asyncio.run(main())
