"""The conformance factory: how ``roomkit conformance reverse`` builds a test instance."""

from __future__ import annotations

from collections.abc import AsyncIterator

from roomkit_conformance.suites.channel import ChannelHarness
from roomkit_reverse.channel import ReverseChannel

__all__ = ["RecordingSink", "conformance_channel"]


class RecordingSink:
    """A sink that records deliveries and can be made to drop the connection."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.down = False

    async def __call__(self, recipient: str, text: str) -> None:
        if self.down:
            raise ConnectionResetError("sink connection dropped")
        # Stored un-reversed so tests can look for what was sent.
        self.received.append((recipient, text[::-1]))

    def drop(self) -> None:
        self.down = True


async def conformance_channel() -> AsyncIterator[ChannelHarness]:
    """A reverse channel wired to a recording sink."""
    sink = RecordingSink()
    channel = ReverseChannel("reverse-conformance", sink=sink)
    yield ChannelHarness(channel, sent=lambda: sink.received, fail_transport=sink.drop)
    await channel.close()
