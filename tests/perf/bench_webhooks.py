"""Load on the webhook server: signed vendor webhooks posted from a second process.

    .venv/bin/python tests/perf/bench_webhooks.py --n 20000 --concurrency 50
    .venv/bin/python tests/perf/bench_webhooks.py --vendor sinch --store memory

Starts ``roomkit serve`` in a subprocess with one channel whose provider is a real vendor
plugin -- ``webhook`` (roomkit-webhook: generic JSON, ``X-RoomKit-Signature`` HMAC-SHA256
with timestamp), ``sinch`` (roomkit-sinch: Sinch ``mo_text`` callbacks with Sinch's HMAC
signing, nonce and timestamp) or ``mock`` (the kernel's mock SMS provider) -- and a
``sqlite`` (default) or ``memory`` store. This process then posts ``n`` webhooks, each signed
as that vendor signs: 10% are repeats of earlier ones (vendor retries), 1% carry a bad
signature (body altered after signing).

Reported: requests/s, latency percentiles, and the checks -- every valid message processed
once (0 lost, 0 duplicated: from ``/healthz``, and with the sqlite store from the stored
events' idempotency keys), every duplicate dropped, every bad signature answered 403.
Numbers are reported, never asserted by the test suite
(``tests/integration/test_webhook_load.py`` runs the checks on a small volume).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

SECRET = "bench-webhook-secret"
PLAN, TOKEN, NUMBER = "bench-plan", "bench-token", "+15550001111"

_CHANNELS = {
    "webhook": """
[[channels]]
id = "hook"
kind = "http"
provider = "webhook"
provider_config = {{ webhook_url = "https://partner.example.com/roomkit", secret = "{secret}" }}
""",
    "sinch": """
[[channels]]
id = "hook"
kind = "sms"
provider = "sinch"
[channels.provider_config]
service_plan_id = "{plan}"
api_token = "{token}"
from_number = "{number}"
webhook_secret = "{secret}"
""",
    "mock": """
[[channels]]
id = "hook"
kind = "sms"
provider = "mock"
provider_config = {{ webhook_secret = "{secret}" }}
""",
}

_SERVER = """
[server]
port = {port}
queue_size = 20000
workers = 8
{store}
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config_text(vendor: str, port: int, store_path: Path | None) -> str:
    """The ``roomkit serve`` configuration of a run."""
    store = ""
    if store_path is not None:
        store = f'[kit]\nstore = {{ name = "sqlite", config = {{ path = "{store_path}" }} }}'
    channel = _CHANNELS[vendor].format(secret=SECRET, plan=PLAN, token=TOKEN, number=NUMBER)
    return _SERVER.format(port=port, store=store) + channel


def _signer(vendor: str) -> Callable[[int], tuple[bytes, dict[str, str]]]:
    """A function building message ``i``: its body and the headers the vendor signs it with."""
    if vendor == "webhook":
        from roomkit_conformance.wire.webhook import signed_webhook_headers

        def webhook(i: int) -> tuple[bytes, dict[str, str]]:
            data = {"sender_id": f"user-{i % 500}", "body": f"m{i}", "external_id": f"ext-{i}"}
            body = json.dumps(data).encode()
            return body, signed_webhook_headers(body, SECRET)

        return webhook
    if vendor == "sinch":
        from roomkit_conformance.wire.sinch import dumps, mo_text, sign_callback

        def sinch(i: int) -> tuple[bytes, dict[str, str]]:
            data = mo_text(
                message_id=f"ext-{i}", sender=f"+1555{i % 500:07d}", to=NUMBER, body=f"m{i}"
            )
            body = dumps(data)
            return body, sign_callback(body, SECRET)

        return sinch
    from roomkit.testing import MockSMSProvider

    mock = MockSMSProvider(webhook_secret=SECRET)

    def mocked(i: int) -> tuple[bytes, dict[str, str]]:
        request = mock.inbound_request(
            sender=f"+1555{i % 500:07d}", text=f"m{i}", message_id=f"ext-{i}"
        )
        return request.body, dict(request.headers)

    return mocked


@dataclass
class Plan:
    """The requests of a run, in order: ``(kind, body, headers)`` with kind ``ok`` (a new
    valid message), ``dup`` (a repeat of an earlier ``ok``) or ``bad`` (tampered)."""

    requests: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    valid_keys: set[str] = field(default_factory=set)


def build_plan(vendor: str, n: int, seed: int = 7) -> Plan:
    """``n`` requests: 10% duplicates, 1% bad signatures, the rest new valid messages."""
    build, rng, plan = _signer(vendor), random.Random(seed), Plan()
    originals: list[tuple[bytes, dict[str, str]]] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.10 and originals:
            body, headers = rng.choice(originals)
            plan.requests.append(("dup", body, headers))
            continue
        body, headers = build(i)
        if roll > 0.99:
            plan.requests.append(("bad", body + b" ", headers))
            continue
        originals.append((body, headers))
        plan.valid_keys.add(f"ext-{i}")
        plan.requests.append(("ok", body, headers))
    return plan


async def post_plan(base: str, plan: Plan, concurrency: int) -> dict[str, Any]:
    """Post the plan with ``concurrency`` connections, then wait (bounded) until the server
    has processed every valid message; the measurements and the health counters."""
    latencies: list[float] = []
    statuses: dict[tuple[str, int], int] = {}
    queue: asyncio.Queue[tuple[str, bytes, dict[str, str]]] = asyncio.Queue()
    for item in plan.requests:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                kind, body, headers = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(base + "/webhooks/hook", content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                statuses[(kind, response.status_code)] = (
                    statuses.get((kind, response.status_code), 0) + 1
                )

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        deadline = time.monotonic() + 300
        while True:
            health = (await client.get(base + "/healthz")).json()
            done = health["processed"] + health["failed"]
            if done >= len(plan.valid_keys) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
    latencies.sort()
    count = len(plan.requests)
    return {
        "requests": count,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(count / elapsed),
        "p50_ms": round(latencies[count // 2] * 1000, 1),
        "p99_ms": round(latencies[min(count - 1, int(count * 0.99))] * 1000, 1),
        "statuses": {f"{k}:{s}": c for (k, s), c in sorted(statuses.items())},
        "health": health,
    }


def stored_keys(db: Path) -> dict[str, int]:
    """Idempotency key -> how many stored events carry it (in every room)."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT idempotency_key, COUNT(*) FROM events "
            "WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key"
        ).fetchall()
    return {str(key): int(count) for key, count in rows}


def checks(
    plan: Plan, statuses: dict[str, int], health: dict[str, Any], keys: dict[str, int] | None
) -> dict[str, Any]:
    """0 lost, 0 duplicated, every duplicate dropped, every bad signature 403."""
    sent = {
        kind: sum(c for k, c in statuses.items() if k.startswith(kind + ":"))
        for kind in ("ok", "dup", "bad")
    }
    result: dict[str, Any] = {
        "valid_unique": len(plan.valid_keys),
        "processed": health["processed"],
        "failed": health["failed"],
        "lost": len(plan.valid_keys) - health["processed"],
        "duplicates_sent": sent["dup"],
        "duplicates_dropped": health["duplicates"],
        "bad_signatures_sent": sent["bad"],
        "bad_signatures_403": statuses.get("bad:403", 0),
        "valid_not_200": sent["ok"]
        + sent["dup"]
        - statuses.get("ok:200", 0)
        - statuses.get("dup:200", 0),
    }
    if keys is not None:
        result["stored_lost"] = len(plan.valid_keys - set(keys))
        result["stored_duplicated"] = sum(c - 1 for c in keys.values() if c > 1)
        result["stored_unexpected"] = len(set(keys) - plan.valid_keys)
    return result


def run(vendor: str, n: int, concurrency: int, store: str) -> dict[str, Any]:
    """One run: server subprocess, load, checks."""
    port = _port()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db" if store == "sqlite" else None
        config = Path(tmp) / "bench.toml"
        config.write_text(config_text(vendor, port, db), encoding="utf-8")
        server = subprocess.Popen(
            [sys.executable, "-m", "roomkit.cli.main", "serve", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        error = server.stderr.read().decode() if server.stderr else ""
                        raise RuntimeError(f"the server did not start: {error[-2000:]}") from None
                time.sleep(0.1)
            plan = build_plan(vendor, n)
            measured = asyncio.run(post_plan(base, plan, concurrency))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=120)
        keys = stored_keys(db) if db is not None else None
    health = measured.pop("health")
    found = checks(plan, measured["statuses"], health, keys)
    return {"vendor": vendor, "store": store, **measured, **found}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--vendor", choices=sorted(_CHANNELS), default="webhook")
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    args = parser.parse_args()
    result = run(args.vendor, args.n, args.concurrency, args.store)
    for key, value in result.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
