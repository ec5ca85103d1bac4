"""The source contract's helpers: the default JSON payload, BaseSourceProvider's counters,
pacing, parsing and self-reconnection, and the in-process MockSourceProvider."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    ConfigurationError,
    InboundMessage,
    InboundResult,
    InvalidContentError,
    RateLimitedError,
    SourceStatus,
    TextContent,
)
from roomkit.sources import (
    BaseSourceProvider,
    EmitCallback,
    MockSourceProvider,
    SourceHealth,
    SourceProvider,
    json_message,
)
from roomkit_conformance.suites.source import eventually


def test_json_message_reads_the_default_payload() -> None:
    message = json_message(
        b'{"id": 7, "from": "alice", "body": "hi", "room_id": "r1", "metadata": {"k": 1}}', "c"
    )
    assert message.channel_id == "c"
    assert (message.sender_id, message.content, message.room_id) == (
        "alice",
        TextContent(body="hi"),
        "r1",
    )
    assert (message.idempotency_key, message.external_id) == ("7", "7")
    assert message.metadata == {"k": 1}
    anonymous = json_message({"text": "x"}, "c")
    assert (anonymous.sender_id, anonymous.idempotency_key) == ("unknown", None)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"\xff\xfe", "UTF-8"),
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"text": 5}', "no 'text'"),
        ('{"text": "x", "sender_id": ""}', "unknown"),  # empty sender falls back, no error
        ('{"text": "x", "room_id": 5}', "valid message"),
    ],
)
def test_json_message_rejects_what_is_not_a_message(payload: Any, problem: str) -> None:
    if problem == "unknown":
        assert json_message(payload, "c").sender_id == "unknown"
        return
    with pytest.raises(InvalidContentError, match=problem):
        json_message(payload, "c")


class Scripted(BaseSourceProvider):
    """Delivers ``payloads`` through ``_deliver`` on each run; a run ends after them, or
    raises ``fail_with`` first."""

    def __init__(self, payloads: list[Any], *, reconnect: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.payloads = payloads
        self.reconnect = reconnect
        self.runs = 0
        self.fail_with: Exception | None = None

    async def start(self, emit: EmitCallback) -> None:
        self._begin()
        await self._serve(lambda: self._once(emit), reconnect=self.reconnect, max_backoff=0.01)

    async def _once(self, emit: EmitCallback) -> None:
        self.runs += 1
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        self._set_status(SourceStatus.CONNECTED)
        for payload in self.payloads:
            await self._deliver(emit, payload, lambda raw: json_message(raw, "c"))
        if self.reconnect and self.runs >= 4:
            await self._stopping.wait()


class Recorder:
    def __init__(self, fail_on: str | None = None) -> None:
        self.texts: list[str] = []
        self.reports: list[tuple[str, Any]] = []
        self.fail_on = fail_on

    async def __call__(self, message: InboundMessage) -> InboundResult:
        assert isinstance(message.content, TextContent)
        if message.content.body == self.fail_on:
            raise RuntimeError("store down")
        self.texts.append(message.content.body)
        return InboundResult()

    async def report(self, error: BaseException, *, stage: str, raw: Any = None) -> None:
        self.reports.append((stage, raw))


async def test_deliver_parses_emits_reports_and_survives_kit_failures() -> None:
    emit = Recorder(fail_on="boom")
    source = Scripted(['{"text": "a"}', "garbage", '{"text": "boom"}', '{"text": "b"}'])
    await source.start(emit)
    assert emit.texts == ["a", "b"]
    assert emit.reports == [("source.parse", "garbage")]
    health = await source.healthcheck()
    assert (health.messages_received, health.metadata["rejected"]) == (3, 1)
    assert health.status == SourceStatus.CONNECTED
    assert health.connected_at is not None


async def test_serve_without_reconnect_lets_the_kit_see_the_failure() -> None:
    source = Scripted([])
    source.fail_with = ConnectionResetError("peer reset")
    with pytest.raises(ConnectionResetError):
        await source.start(Recorder())


async def test_serve_with_reconnect_keeps_going_until_stopped() -> None:
    emit = Recorder()
    source = Scripted(['{"text": "x"}'], reconnect=True)
    source.fail_with = ConnectionResetError("peer reset")
    task = asyncio.create_task(source.start(emit))
    await eventually(lambda: source.runs >= 4, "three connections after a failure")
    assert emit.texts == ["x", "x", "x"]
    assert not task.done()
    await source.stop()
    await asyncio.wait_for(task, 10)
    assert source.status == SourceStatus.STOPPED


async def test_rate_limit_paces_emits() -> None:
    emit = Recorder()
    source = Scripted([f'{{"text": "{n}"}}' for n in range(6)], rate_limit=20.0)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await source.start(emit)
    assert len(emit.texts) == 6
    assert loop.time() - began >= 0.24  # 5 intervals of 50 ms after the first
    with pytest.raises(ConfigurationError, match="rate_limit"):
        Scripted([], rate_limit=0)


class Minimal(SourceProvider):
    """The smallest implementation of the ABC: the default healthcheck reports the status."""

    @property
    def name(self) -> str:
        return "minimal"

    @property
    def status(self) -> SourceStatus:
        return SourceStatus.CONNECTING

    async def start(self, emit: EmitCallback) -> None:
        return None

    async def stop(self) -> None:
        return None


async def test_the_abc_needs_four_members_and_gives_a_healthcheck() -> None:
    with pytest.raises(TypeError):
        SourceProvider()  # type: ignore[abstract]
    assert await Minimal().healthcheck() == SourceHealth(status=SourceStatus.CONNECTING)


async def test_mock_source_is_bounded_and_fails_connections_on_demand() -> None:
    source = MockSourceProvider("c", max_queued=2)
    source.push("a")
    source.push("b")
    with pytest.raises(RateLimitedError, match="holds 2"):
        source.push("c")
    source.fail_next_connects(1)
    with pytest.raises(ConnectionRefusedError):
        await source.start(Recorder())
    emit = Recorder()
    task = asyncio.create_task(source.start(emit))
    await eventually(lambda: emit.texts == ["a", "b"], "both delivered")
    assert source.acked == ["a", "b"]
    assert source.pending == 0
    await source.stop()
    await asyncio.wait_for(task, 10)
    with pytest.raises(ConfigurationError):
        MockSourceProvider(max_queued=0)
