"""Sampling decided once per message, at its root span, and what the unsampled messages still
record (``step_metrics``); ``detail="compact"`` steps as events. A real RoomKit with the
in-memory store and the OpenTelemetry SDK's in-memory exporters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ParentBased,
    Sampler,
)
from roomkit_opentelemetry import OpenTelemetryProvider
from roomkit_opentelemetry.testing import InMemoryOpenTelemetry, ScriptedSampler, two_party_room

from roomkit import (
    InboundMessage,
    RoomKit,
    TextContent,
)
from roomkit.errors import ConfigurationError
from roomkit.store.memory import InMemoryStore
from roomkit.telemetry import Metric


class TracedStore(InMemoryStore):
    """The in-memory store with a span per call, as a networked store has."""

    traced_calls = True


class Counting(OpenTelemetryProvider):
    """Counts the spans the engine asks for, by name."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.started: list[str] = []

    def start_span(self, kind: Any, name: str | None = None, **options: Any) -> str:
        self.started.append(name or str(kind))
        return super().start_span(kind, name, **options)


def _setup(sampler: Sampler | None, **options: Any) -> InMemoryOpenTelemetry:
    setup = InMemoryOpenTelemetry.create(sampler=sampler, **options)
    setup.provider = Counting(
        tracer_provider=setup.tracer_provider, meter_provider=setup.meter_provider, **options
    )
    return setup


async def _kit(otel: InMemoryOpenTelemetry, hooks: bool = False) -> RoomKit:
    kit = RoomKit(store=TracedStore(), telemetry=otel.provider)

    async def send(conn: str, event: object) -> None:
        return None

    await two_party_room(kit, send, hooks=hooks)

    return kit


def _message(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws-user", sender_id="u1", content=TextContent(body=body))


@pytest.fixture
def setups() -> Iterator[list[InMemoryOpenTelemetry]]:
    made: list[InMemoryOpenTelemetry] = []
    yield made
    for setup in made:
        setup.shutdown()


@pytest.fixture
async def kits() -> AsyncIterator[list[RoomKit]]:
    made: list[RoomKit] = []
    yield made
    for kit in made:
        await kit.close()


async def _run(
    setups: list[InMemoryOpenTelemetry],
    kits: list[RoomKit],
    sampler: Sampler | None,
    messages: int = 1,
    hooks: bool = False,
    **options: Any,
) -> InMemoryOpenTelemetry:
    otel = _setup(sampler, **options)
    setups.append(otel)
    kit = await _kit(otel, hooks)
    kits.append(kit)
    for i in range(messages):
        result = await kit.process_inbound(_message(f"m{i}"), room_id="r1")
        assert result.event is not None
        assert not result.blocked
    await kit.close()  # background hook tasks done
    return otel


async def test_unsampled_root_with_message_metrics_starts_no_step(
    setups: list[InMemoryOpenTelemetry], kits: list[RoomKit]
) -> None:
    otel = await _run(
        setups, kits, ParentBased(ALWAYS_OFF), messages=3, hooks=True, step_metrics="none"
    )
    provider = otel.provider
    assert isinstance(provider, Counting)
    assert provider.started == ["roomkit.inbound"] * 3  # no route, store, hook, delivery ...
    assert otel.finished_spans() == []
    assert otel.metric_total(Metric.MESSAGES, status="ok") == 3
    assert otel.metric_total(Metric.INBOUND_DURATION) == 3
    assert otel.metric_total(Metric.DELIVERIES) == 0
    assert otel.metric_total(Metric.HOOK_CALLS) == 0


async def test_unsampled_root_still_counts_every_step_without_spans(
    setups: list[InMemoryOpenTelemetry], kits: list[RoomKit]
) -> None:
    otel = await _run(setups, kits, ParentBased(ALWAYS_OFF), messages=2, hooks=True)
    assert otel.finished_spans() == []  # nothing traced ...
    # ... but the metrics of every step are there (step_metrics="all", the default)
    assert otel.metric_total(Metric.MESSAGES, status="ok") == 2
    assert otel.metric_total(Metric.DELIVERIES, channel_id="ws-other", status="ok") == 2
    assert otel.metric_total(Metric.DELIVERY_DURATION) == 2
    assert otel.metric_total(Metric.HOOK_CALLS, **{"hook.name": "guard"}) == 2
    assert otel.metric_total(Metric.HOOK_CALLS, **{"hook.name": "audit"}) == 2
    assert otel.metric_total(Metric.STORE_DURATION) >= 2


async def test_counts_keep_step_counters_and_drop_step_histograms(
    setups: list[InMemoryOpenTelemetry], kits: list[RoomKit]
) -> None:
    otel = await _run(
        setups, kits, ParentBased(ALWAYS_OFF), messages=2, hooks=True, step_metrics="counts"
    )
    assert otel.metric_total(Metric.DELIVERIES, status="ok") == 2
    assert otel.metric_total(Metric.HOOK_CALLS) == 4
    assert otel.metric_total(Metric.INBOUND_DURATION) == 2  # the message's own histogram stays
    assert otel.metric_points(Metric.DELIVERY_DURATION) == []
    assert otel.metric_points(Metric.HOOK_DURATION) == []
    assert otel.metric_points(Metric.STORE_DURATION) == []


async def test_sampling_decision_is_per_message(
    setups: list[InMemoryOpenTelemetry], kits: list[RoomKit]
) -> None:
    sampler = ScriptedSampler([False, True, False])
    otel = await _run(setups, kits, ParentBased(sampler), messages=3, step_metrics="none")
    assert sampler.asked == 3  # asked once per message: every step follows its root
    spans = otel.finished_spans()
    roots = [s for s in spans if s.name == "roomkit.inbound"]
    assert len(roots) == 1  # the second message only
    trace_ids = {s.context.trace_id for s in spans}
    assert trace_ids == {roots[0].context.trace_id}
    assert {s.name for s in spans} >= {
        "roomkit.inbound",
        "roomkit.route",
        "roomkit.store",
        "roomkit.broadcast",
        "roomkit.delivery",
    }
    assert otel.metric_total(Metric.MESSAGES) == 3
    # step_metrics="none" holds for traced messages too: metrics never depend on sampling
    assert otel.metric_total(Metric.DELIVERIES) == 0


async def test_compact_detail_keeps_cheap_steps_as_events(
    setups: list[InMemoryOpenTelemetry], kits: list[RoomKit]
) -> None:
    otel = await _run(setups, kits, None, hooks=True, detail="compact")
    spans = otel.finished_spans()
    names = sorted(s.name for s in spans)
    assert names == ["roomkit.delivery", "roomkit.hook", "roomkit.hook", "roomkit.inbound"]
    (root,) = [s for s in spans if s.name == "roomkit.inbound"]
    for span in spans:
        if span is not root:
            assert span.parent is not None
            assert span.parent.span_id == root.context.span_id
    events = {e.name: dict(e.attributes or {}) for e in root.events}
    assert {"roomkit.route", "roomkit.store", "roomkit.broadcast"} <= set(events)
    assert events["roomkit.route"]["roomkit.route.source"] == "explicit"
    assert events["roomkit.broadcast"]["roomkit.broadcast.targets"] == 1
    assert all(isinstance(e["roomkit.duration_ms"], float) for e in events.values())
    assert all(float(e["roomkit.duration_ms"]) >= 0 for e in events.values())  # type: ignore[arg-type]
    assert otel.metric_total(Metric.STORE_DURATION) >= 1  # events still feed metrics


def test_options_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="step_metrics"):
        OpenTelemetryProvider(step_metrics="some")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="detail"):
        OpenTelemetryProvider(detail="verbose")  # type: ignore[arg-type]
