"""Conformance factories of the kernel's built-in components.

The built-in plugin's descriptors point here (``conformance="roomkit_conformance.builtins:..."``),
so ``roomkit conformance builtin`` checks the built-ins through the same runner and suites as
any third-party plugin.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from roomkit_conformance.suites.channel import ChannelHarness
from roomkit_conformance.suites.identity import IdentityHarness
from roomkit_conformance.suites.source import SourceHarness
from roomkit_conformance.suites.telemetry import TelemetryHarness
from roomkit_conformance.voice_builtins import *  # noqa: F403 - voice factories, listed below
from roomkit_conformance.voice_builtins import __all__ as _VOICE

__all__ = [
    "console_telemetry",
    "memory_lock_manager",
    "memory_realtime",
    "memory_store",
    "mock_email_provider",
    "mock_http_messaging_provider",
    "mock_identity_resolver",
    "mock_messenger_messaging_provider",
    "mock_rcs_provider",
    "mock_sms_provider",
    "mock_source",
    "mock_teams_messaging_provider",
    "mock_telegram_messaging_provider",
    "mock_whatsapp_messaging_provider",
    "mock_whatsapp_personal_messaging_provider",
    "noop_telemetry",
    "websocket_channel",
    *_VOICE,
]


async def memory_store() -> AsyncIterator[Any]:
    """An empty :class:`~roomkit.store.memory.InMemoryStore`."""
    from roomkit.store.memory import InMemoryStore

    store = InMemoryStore()
    yield store
    await store.close()


def memory_lock_manager() -> Any:
    """A fresh :class:`~roomkit.core.locks.InMemoryLockManager`."""
    from roomkit.core.locks import InMemoryLockManager

    return InMemoryLockManager()


async def memory_realtime() -> AsyncIterator[Any]:
    """A fresh :class:`~roomkit.realtime.memory.InMemoryRealtime`."""
    from roomkit.realtime.memory import InMemoryRealtime

    backend = InMemoryRealtime()
    yield backend
    await backend.close()


class _Outbox:
    """A fake WebSocket connection: records what the channel sends; can be made to fail."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.broken = False

    async def send(self, message: Any) -> None:
        if self.broken:
            raise ConnectionResetError("conformance: connection dropped")
        self.messages.append(message)

    def drop(self) -> None:
        self.broken = True


async def websocket_channel() -> AsyncIterator[ChannelHarness]:
    """A :class:`~roomkit.channels.websocket.WebSocketChannel` with one recording connection."""
    from roomkit.channels.websocket import WebSocketChannel

    channel = WebSocketChannel("ws-conformance")
    outbox = _Outbox()
    channel.register_connection("conn-1", outbox.send)
    yield ChannelHarness(channel, sent=lambda: outbox.messages, fail_transport=outbox.drop)
    await channel.close()


def mock_identity_resolver() -> IdentityHarness:
    """A :class:`~roomkit.identity.mock.MockIdentityResolver` that knows one sender."""
    from roomkit.errors import IdentityResolutionError
    from roomkit.identity.mock import MockIdentityResolver
    from roomkit.models.participant import Identity

    identity = Identity(id="ident-conformance", display_name="Conformance Person")
    resolver = MockIdentityResolver({"known-sender": identity})

    def fail() -> None:
        resolver.error = IdentityResolutionError("conformance: directory unreachable")

    return IdentityHarness(resolver, known=("known-sender", "ident-conformance"), fail_backend=fail)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


async def console_telemetry() -> AsyncIterator[TelemetryHarness]:
    """A :class:`~roomkit.telemetry.console.ConsoleTelemetryProvider`, its log lines captured."""
    from roomkit.telemetry.console import ConsoleTelemetryProvider

    capture = _Capture()
    root = logging.getLogger("roomkit")
    previous = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield TelemetryHarness(ConsoleTelemetryProvider(), exported=lambda: capture.records)
    finally:
        root.removeHandler(capture)
        root.setLevel(previous)


def noop_telemetry() -> Any:
    """The default :class:`~roomkit.telemetry.base.NoopTelemetryProvider`."""
    from roomkit.telemetry.base import NoopTelemetryProvider

    return NoopTelemetryProvider()


# -- messaging mocks: each wrapped with the wire view of roomkit_conformance.mock_messaging ----
def _messaging(module: str, cls: str, recipient: str = "+15550199") -> Any:
    import importlib

    from roomkit_conformance.mock_messaging import MOCK_WEBHOOK_SECRET, mock_harness

    provider = getattr(importlib.import_module(module), cls)(webhook_secret=MOCK_WEBHOOK_SECRET)
    return mock_harness(provider, recipient)


def mock_sms_provider() -> Any:
    """:class:`~roomkit.providers.sms.mock.MockSMSProvider` with its wire view."""
    return _messaging("roomkit.providers.sms.mock", "MockSMSProvider")


def mock_rcs_provider() -> Any:
    """:class:`~roomkit.providers.rcs.mock.MockRCSProvider` with its wire view."""
    return _messaging("roomkit.providers.rcs.mock", "MockRCSProvider")


def mock_email_provider() -> Any:
    """:class:`~roomkit.providers.email.mock.MockEmailProvider` with its wire view."""
    return _messaging("roomkit.providers.email.mock", "MockEmailProvider", "ada@example.com")


def mock_http_messaging_provider() -> Any:
    """:class:`~roomkit.providers.http.mock.MockHTTPProvider` with its wire view."""
    return _messaging("roomkit.providers.http.mock", "MockHTTPProvider", "recipient-1")


def mock_messenger_messaging_provider() -> Any:
    """:class:`~roomkit.providers.messenger.mock.MockMessengerProvider` with its wire view."""
    return _messaging("roomkit.providers.messenger.mock", "MockMessengerProvider", "psid-1")


def mock_whatsapp_messaging_provider() -> Any:
    """:class:`~roomkit.providers.whatsapp.mock.MockWhatsAppProvider` with its wire view."""
    return _messaging("roomkit.providers.whatsapp.mock", "MockWhatsAppProvider")


def mock_whatsapp_personal_messaging_provider() -> Any:
    """:class:`~roomkit.providers.whatsapp.mock.MockWhatsAppPersonalProvider` with its wire."""
    return _messaging("roomkit.providers.whatsapp.mock", "MockWhatsAppPersonalProvider")


def mock_telegram_messaging_provider() -> Any:
    """:class:`~roomkit.providers.telegram.mock.MockTelegramProvider` with its wire view."""
    return _messaging("roomkit.providers.telegram.mock", "MockTelegramProvider", "chat-1")


def mock_teams_messaging_provider() -> Any:
    """:class:`~roomkit.providers.teams.mock.MockTeamsProvider` with its wire view."""
    return _messaging("roomkit.providers.teams.mock", "MockTeamsProvider", "conversation-1")


def mock_source() -> SourceHarness:
    """A :class:`~roomkit.sources.mock.MockSourceProvider`; the test plays its remote side."""
    from roomkit.sources.mock import MockSourceProvider

    source = MockSourceProvider("mock-source")

    async def send(message_id: str, text: str) -> None:
        source.push({"id": message_id, "text": text})

    async def disconnect() -> None:
        source.disconnect()

    async def send_garbage() -> None:
        source.push(b"\x00 not a payload")

    return SourceHarness(source, "mock-source", send, disconnect, send_garbage)
