"""The conformance factory: how ``roomkit conformance example`` builds a test instance."""

from __future__ import annotations

from collections.abc import AsyncIterator

from roomkit_conformance.suites.channel import ChannelHarness
from roomkit_example.channel import ExampleChannel

__all__ = ["RecordingSink", "conformance_channel"]


class RecordingSink:
    """A sink that records deliveries and can be made to drop the connection."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.down = False

    async def __call__(self, recipient: str, text: str) -> None:
        if self.down:
            raise ConnectionResetError("sink connection dropped")
        self.received.append((recipient, text))

    def drop(self) -> None:
        self.down = True


async def conformance_channel() -> AsyncIterator[ChannelHarness]:
    """A example channel wired to a recording sink."""
    sink = RecordingSink()
    channel = ExampleChannel("example-conformance", sink=sink)
    yield ChannelHarness(channel, sent=lambda: sink.received, fail_transport=sink.drop)
    await channel.close()
