"""The benchmark report: which numbers go in the table, and the markdown rendering."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

Results = dict[str, dict[str, Any]]  # workload key -> the workload's JSON line (or an error)


@dataclass(frozen=True)
class Metric:
    workload: str
    field: str
    label: str
    higher_is_better: bool
    fmt: str = "{:,.0f}"


METRICS: tuple[Metric, ...] = (
    Metric(
        "persistence_pg", "pg_cpu_ms_per_msg", "PostgreSQL, 1 room: CPU ms/msg", False, "{:.3f}"
    ),
    Metric("persistence_pg", "pg_msg_per_s", "PostgreSQL, 1 room: msg/s", True, "{:,.1f}"),
    Metric(
        "persistence_pg", "pg_round_trips_per_msg", "PostgreSQL: round trips/msg", False, "{:.2f}"
    ),
    Metric(
        "persistence_pg",
        "postgres_of_floor_cpu",
        "PostgreSQL: share of floor (CPU)",
        True,
        "{:.2f}",
    ),
    Metric(
        "persistence_pg_100",
        "pg_cpu_ms_per_msg",
        "PostgreSQL, 100 rooms: CPU ms/msg",
        False,
        "{:.3f}",
    ),
    Metric(
        "persistence_pg_ai",
        "pg_round_trips_per_msg",
        "PostgreSQL + AI: round trips/msg",
        False,
        "{:.2f}",
    ),
    Metric(
        "persistence_pg_ai", "pg_cpu_ms_per_msg", "PostgreSQL + AI: CPU ms/msg", False, "{:.3f}"
    ),
    Metric("text_plain", "msgs_per_s", "1 room, 2 WS: msg/s", True),
    Metric("text_plain", "cpu_us_per_msg", "1 room, 2 WS: CPU us/msg", False, "{:,.1f}"),
    Metric(
        "text_hooks", "cpu_us_per_msg", "+ 3 sync / 2 async hooks: CPU us/msg", False, "{:,.1f}"
    ),
    Metric("text_ai", "cpu_us_per_msg", "+ mock AI channel: CPU us/msg", False, "{:,.1f}"),
    Metric("floor", "route_of_floor_cpu", "in memory, route: share of floor (CPU)", True, "{:.2f}"),
    Metric("floor", "hooks_of_floor_cpu", "in memory, hooks: share of floor (CPU)", True, "{:.2f}"),
    Metric("floor", "ai_of_floor_cpu", "in memory, AI: share of floor (CPU)", True, "{:.2f}"),
    Metric("floor", "route_load_p99_ms", "in memory, route, 50 senders: p99 ms", False, "{:.3f}"),
    Metric("floor", "hooks_load_p99_ms", "in memory, hooks, 50 senders: p99 ms", False, "{:.3f}"),
    Metric("floor", "ai_load_p99_ms", "in memory, AI, 50 senders: p99 ms", False, "{:.3f}"),
    Metric("text_plain", "p50_ms", "1 room, 2 WS: p50 ms", False, "{:.3f}"),
    Metric("text_plain", "p99_ms", "1 room, 2 WS: p99 ms", False, "{:.3f}"),
    Metric("text_hooks", "msgs_per_s", "+ 3 sync / 2 async hooks: msg/s", True),
    Metric("text_hooks", "p99_ms", "+ 3 sync / 2 async hooks: p99 ms", False, "{:.3f}"),
    Metric("text_ai", "msgs_per_s", "+ mock AI channel: msg/s", True),
    Metric("text_ai", "p99_ms", "+ mock AI channel: p99 ms", False, "{:.3f}"),
    Metric("rooms", "msgs_per_s", "1,000 rooms x 10 concurrent: msg/s", True),
    Metric(
        "rooms", "p99_ms", "1,000 rooms x 10 concurrent: p99 ms (incl. queueing)", False, "{:,.1f}"
    ),
    Metric("rooms_ai", "msgs_per_s", "1,000 rooms x 10 concurrent, AI: msg/s", True),
    Metric(
        "history_5k",
        "last_over_first",
        "5,000 msgs in 1 room: last 10% / first 10%",
        True,
        "{:.2f}",
    ),
    Metric(
        "history_50k",
        "last_over_first",
        "50,000 msgs in 1 room: last 10% / first 10%",
        True,
        "{:.2f}",
    ),
    Metric(
        "history_ai_2k",
        "last_over_first",
        "2,000 msgs in 1 room with AI: last 10% / first 10%",
        True,
        "{:.2f}",
    ),
    Metric(
        "memory", "bytes_per_event_tracemalloc", "memory per stored event (tracemalloc), B", False
    ),
    Metric("memory", "bytes_per_event_rss", "memory per stored event (RSS delta), B", False),
    Metric("import", "import_cpu_s", "`python -c 'import roomkit'`: CPU s", False, "{:.3f}"),
    Metric("import", "import_s", "`python -c 'import roomkit'`: s", False, "{:.3f}"),
    Metric("import", "modules", "modules in sys.modules after import", False),
    Metric(
        "import",
        "import_used_cpu_s",
        "`from roomkit import RoomKit, ...` (4 names): CPU s",
        False,
        "{:.3f}",
    ),
    Metric(
        "import",
        "import_used_s",
        "`from roomkit import RoomKit, ...` (4 names): s",
        False,
        "{:.3f}",
    ),
    Metric("import", "modules_used", "modules after `from roomkit import RoomKit, ...`", False),
    Metric(
        "ai_overhead",
        "overhead_per_ai_turn_us",
        "framework overhead per AI turn: us",
        False,
        "{:,.1f}",
    ),
    Metric("workers", "msg_per_s_1", "1 worker, PostgreSQL + Redis, 200 rooms: msg/s", True),
    Metric("workers", "scaling_4", "4 workers / 1 worker, 200 rooms: msg/s ratio", True, "{:.2f}"),
    Metric(
        "workers",
        "worker_cpu_ms_per_msg_1",
        "1 worker, 200 rooms: worker CPU ms/msg",
        False,
        "{:.2f}",
    ),
    Metric("workers_1room", "msg_per_s_4", "4 workers, 1 contended room: msg/s", True, "{:,.1f}"),
    Metric(
        "voice_pipeline",
        "frames_per_s",
        "audio pipeline, mock stages, 20-ms frames: frames/s",
        True,
    ),
    Metric("voice_pipeline_noop", "frames_per_s", "audio pipeline, minimal stages: frames/s", True),
    Metric(
        "voice_pipeline_20", "frames_per_s", "audio pipeline, 20 interleaved calls: frames/s", True
    ),
    Metric(
        "voice_call_1h",
        "first_10pct_us_per_frame",
        "1-hour call: us/frame, first 10%",
        False,
        "{:.2f}",
    ),
    Metric(
        "voice_call_1h",
        "last_10pct_us_per_frame",
        "1-hour call: us/frame, last 10%",
        False,
        "{:.2f}",
    ),
    Metric("voice_call_1h", "frames_per_s", "1-hour call (180,000 frames): frames/s", True),
    Metric(
        "voice_call_1h", "peak_rss_growth_mb", "1-hour call: peak RSS growth, MB", False, "{:,.1f}"
    ),
    Metric(
        "voice_stages",
        "frames_per_cpu_s",
        "soxr 48k->16k + energy AGC + silero VAD: frames per CPU-second",
        True,
        "{:,.0f}",
    ),
    Metric(
        "voice_latency_local",
        "p50_ms",
        "end of speech -> first TTS byte, local models: p50 ms",
        False,
        "{:,.0f}",
    ),
    Metric(
        "voice_latency_local",
        "p95_ms",
        "end of speech -> first TTS byte, local models: p95 ms",
        False,
        "{:,.0f}",
    ),
    Metric(
        "voice_stages",
        "realtime_calls_per_core",
        "real stages: real-time calls one core sustains",
        True,
        "{:,.1f}",
    ),
)

# Fields that say whether the work really happened; they should match between implementations.
SANITY_FIELDS: dict[str, tuple[str, ...]] = {
    "text_plain": ("per_msg",),
    "text_hooks": ("per_msg",),
    "text_ai": ("per_msg",),
    "rooms": ("deliveries_per_msg",),
    "rooms_ai": ("deliveries_per_msg", "provider_calls_per_msg"),
    "history_5k": ("deliveries_per_msg", "n_done"),
    "history_50k": ("deliveries_per_msg", "n_done", "truncated"),
    "history_ai_2k": ("deliveries_per_msg", "n_done"),
    "memory": ("events_stored_check",),
    "ai_overhead": ("ai_turns_per_msg",),
    "voice_pipeline": ("speech_ends", "vad_events"),
    "voice_pipeline_noop": ("speech_ends", "vad_events"),
    "voice_pipeline_20": ("speech_ends", "vad_events"),
    "voice_call_1h": ("speech_ends", "speech_bytes"),
    "voice_stages": ("speech_ends",),
}


def _value(results: Results, metric: Metric) -> float | None:
    value = results.get(metric.workload, {}).get(metric.field)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _cell(results: Results, metric: Metric) -> str:
    entry = results.get(metric.workload)
    if entry is None:
        return "not run"
    if "error" in entry:
        return "error"
    if "skipped" in entry:
        return "not run"
    value = _value(results, metric)
    return "-" if value is None else metric.fmt.format(value)


def _ratio(ours: float | None, original: float | None, higher_is_better: bool) -> str:
    if ours is None or original is None or ours == 0 or original == 0:
        return "-"
    ratio = ours / original if higher_is_better else original / ours
    return f"{ratio:.2f}x"


def markdown_table(ours: Results, original: Results) -> str:
    lines = [
        "| workload | ours | original 0.6.7 | ratio (>1 = ours better) |",
        "|---|---:|---:|---:|",
    ]
    for metric in METRICS:
        ratio = _ratio(_value(ours, metric), _value(original, metric), metric.higher_is_better)
        lines.append(
            f"| {metric.label} | {_cell(ours, metric)} | {_cell(original, metric)} | {ratio} |"
        )
    return "\n".join(lines)


def problems(ours: Results, original: Results) -> list[str]:
    """Errors, skips and sanity mismatches worth reading before trusting the table."""
    notes: list[str] = []
    for name, results in (("ours", ours), ("original", original)):
        for key, entry in results.items():
            if "error" in entry:
                notes.append(f"{name} / {key}: ERROR {entry['error']}")
            elif "skipped" in entry:
                notes.append(f"{name} / {key}: not run ({entry['skipped']})")
            notes.extend(
                f"{name} / {key}.{field}: {value}"
                for field, value in entry.items()
                if field.endswith("_error")
            )
    for key, fields in SANITY_FIELDS.items():
        mine, theirs = ours.get(key, {}), original.get(key, {})
        if "error" in mine or "error" in theirs or "skipped" in mine or "skipped" in theirs:
            continue
        for field in fields:
            if field in mine and field in theirs and mine[field] != theirs[field]:
                notes.append(
                    f"sanity / {key}.{field}: ours {json.dumps(mine[field])} "
                    f"vs original {json.dumps(theirs[field])}"
                )
    return notes
