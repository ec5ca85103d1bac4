"""The remote side for tests: the NATS server on 127.0.0.1 (``ROOMKIT_NATS_URL`` overrides),
a unique JetStream stream per test, and a :class:`~roomkit_conformance.wire.FaultProxy` in
front of it; and the conformance factory.

An unreachable server skips a test on a developer's machine and fails it under ``CI=true``
(:func:`roomkit_conformance.services.service_unavailable`).
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import nats
import nats.errors
from nats.aio.client import Client
from nats.js.api import StreamConfig

from roomkit_conformance.services import service_unavailable
from roomkit_conformance.suites.source import SourceHarness
from roomkit_conformance.wire import FaultProxy
from roomkit_nats.source import NATSSource

__all__ = ["JetStreamFixture", "conformance_source", "nats_url"]


def nats_url() -> str:
    """The test server's URL."""
    return os.environ.get("ROOMKIT_NATS_URL", "nats://127.0.0.1:4222")


async def _quiet(exc: Exception) -> None:
    """The probe reports an unreachable server once, itself."""


class JetStreamFixture:
    """A unique stream (and subject) on the test server, deleted by :meth:`close`, and a proxy
    to the server that can drop or stall the source's connection."""

    def __init__(self, nc: Client, proxy: FaultProxy) -> None:
        token = uuid.uuid4().hex[:12]
        self.nc = nc
        self.js = nc.jetstream()
        self.proxy = proxy
        self.stream = f"RK_TEST_{token}"
        self.subject = f"roomkit.test.{token}"

    @classmethod
    async def open(cls) -> JetStreamFixture:
        """Connect to the test server (skip, or fail in CI, when it is unreachable)."""
        url = nats_url()
        try:
            async with asyncio.timeout(10):
                nc = await nats.connect(
                    url,
                    connect_timeout=2,
                    allow_reconnect=False,
                    max_reconnect_attempts=1,
                    error_cb=_quiet,
                )
                await nc.jetstream().account_info()
        except (OSError, nats.errors.Error, TimeoutError) as exc:
            service_unavailable(f"NATS with JetStream at {url}: {exc!r}")
        parts = urlsplit(url)
        proxy = await FaultProxy(parts.hostname or "127.0.0.1", parts.port or 4222).start()
        fixture = cls(nc, proxy)
        await fixture.js.add_stream(StreamConfig(name=fixture.stream, subjects=[fixture.subject]))
        return fixture

    @property
    def proxied_url(self) -> str:
        """The server's URL through the fault proxy."""
        return f"nats://127.0.0.1:{self.proxy.port}"

    def source(self, channel_id: str, **options: Any) -> NATSSource:
        """A source on this fixture's stream, connected through the proxy."""
        options.setdefault("fetch_timeout", 0.2)
        options.setdefault("ping_interval", 1.0)
        return NATSSource(self.proxied_url, channel_id, self.subject, stream=self.stream, **options)

    async def publish(self, message_id: str, text: str, **fields: Any) -> None:
        """Publish one JSON message (JetStream acknowledges it: it is stored)."""
        body = {"id": message_id, "sender_id": "u1", "text": text, **fields}
        await self.js.publish(self.subject, json.dumps(body).encode())

    async def publish_raw(self, data: bytes, headers: dict[str, str] | None = None) -> None:
        """Publish raw bytes."""
        await self.js.publish(self.subject, data, headers=headers)

    async def garbage(self) -> None:
        """Publish a message that is not JSON."""
        await self.publish_raw(b"\x00{not json")

    async def drop(self) -> None:
        """Cut the source's connection to the server."""
        self.proxy.drop()

    async def close(self) -> None:
        """Delete the stream, close the proxy and the connection."""
        try:
            await self.js.delete_stream(self.stream)
        finally:
            await self.proxy.close()
            await self.nc.close()


async def conformance_source() -> AsyncIterator[SourceHarness]:
    """A :class:`NATSSource` on a fresh stream of the local NATS server."""
    fixture = await JetStreamFixture.open()
    source = fixture.source("nats-source")
    yield SourceHarness(
        source,
        "nats-source",
        fixture.publish,
        fixture.drop,
        fixture.garbage,
        connections=lambda: fixture.proxy.connections,
    )
    await source.stop()
    await fixture.close()
