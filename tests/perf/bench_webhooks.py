"""Load on the webhook server: signed SMS webhooks posted from a second process.

    .venv/bin/python tests/perf/bench_webhooks.py --n 20000 --concurrency 50

Starts ``roomkit serve`` (mock SMS provider, in-memory store) in a subprocess, then posts
``n`` signed webhooks from this process: 10% are repeats of earlier ones (vendor retries),
1% carry a bad signature. Prints requests/s and latency percentiles, and checks from
``/healthz`` that every valid message was processed once (0 lost, 0 duplicated) and every bad
signature was answered 403. Numbers are reported, never asserted by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from roomkit.testing import MockSMSProvider

SECRET = "bench-webhook-secret"
CONFIG = """
[server]
port = {port}
queue_size = 20000
workers = 8
[[channels]]
id = "sms"
kind = "sms"
provider = "mock"
provider_config = {{ webhook_secret = "{secret}" }}
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _load(base: str, n: int, concurrency: int) -> dict[str, object]:
    sms = MockSMSProvider(webhook_secret=SECRET)
    rng = random.Random(7)
    originals: list[tuple[bytes, dict[str, str]]] = []
    plan: list[tuple[str, bytes, dict[str, str]]] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.10 and originals:
            body, headers = rng.choice(originals)
            plan.append(("dup", body, headers))
            continue
        request = sms.inbound_request(
            sender=f"+1555{i % 500:07d}", text=f"m{i}", message_id=f"SM{i}"
        )
        headers = dict(request.headers)
        if roll > 0.99:
            plan.append(("bad", request.body + b" ", headers))
            continue
        originals.append((request.body, headers))
        plan.append(("ok", request.body, headers))
    latencies: list[float] = []
    statuses: dict[tuple[str, int], int] = {}
    queue: asyncio.Queue[tuple[str, bytes, dict[str, str]]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                kind, body, headers = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(base + "/webhooks/sms", content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                key = (kind, response.status_code)
                statuses[key] = statuses.get(key, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        valid = len(originals)
        deadline = time.monotonic() + 120
        while True:
            health = (await client.get(base + "/healthz")).json()
            if health["processed"] + health["failed"] >= valid or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
    latencies.sort()
    return {
        "requests": n,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(n / elapsed),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "statuses": {f"{k}:{s}": c for (k, s), c in sorted(statuses.items())},
        "valid_unique": valid,
        "processed": health["processed"],
        "failed": health["failed"],
        "duplicates_dropped": health["duplicates"],
        "lost": valid - health["processed"],
        "bad_signatures_403": statuses.get(("bad", 403), 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    port = _port()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bench.toml"
        config.write_text(CONFIG.format(port=port, secret=SECRET), encoding="utf-8")
        server = subprocess.Popen(
            [sys.executable, "-m", "roomkit.cli.main", "serve", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
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
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.1)
            result = asyncio.run(_load(base, args.n, args.concurrency))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    for key, value in result.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
