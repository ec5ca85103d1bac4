"""Run every benchmark workload under our kernel and the original RoomKit 0.6.7, side by side.

    python tests/perf/run.py                  # both implementations (make bench)
    python tests/perf/run.py --only ours      # keeps the original's numbers from results.json
    python tests/perf/run.py --quick          # small sizes, one run: a smoke test, not numbers

Both sides run on the same Python version: the original in ``.bench/orig312`` (Python 3.12 +
``roomkit==0.6.7``), ours in ``.bench/ours312`` (Python 3.12 + this repository, editable), both
created here when missing; ``--ours-python`` picks another interpreter for ours (the repo's
.venv when python3.12 is not available). Prints
a markdown table and writes ``tests/perf/results.json``. Numbers are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _report import Results, markdown_table, problems

PERF = Path(__file__).resolve().parent
ROOT = PERF.parents[1]
ORIG_VENV = ROOT / ".bench" / "orig312"
#: Ours on the original's Python version, so both sides run on the same interpreter.
OURS_VENV = ROOT / ".bench" / "ours312"
#: What the workloads import from this repository (editable installs into OURS_VENV).
OURS_DISTS = (
    "kernel",
    "conformance",
    "plugins/roomkit-opentelemetry",
    "plugins/roomkit-postgres",
    "plugins/roomkit-redis",
    "plugins/roomkit-sqlite",
)
ORIG_VERSION = "0.6.7"
KERNEL_SRC = ROOT / "kernel" / "src"
PYCACHE = ROOT / ".bench" / "pycache"
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')
QUICK = ("--n", "300", "--runs", "1", "--rooms", "100", "--events", "2000",
         "--traced-events", "1000")  # fmt: skip


@dataclass(frozen=True)
class Workload:
    key: str
    script: str
    args: tuple[str, ...] = ()
    original_args: tuple[str, ...] | None = None  # None: same as ``args``
    skip_original: str = ""  # non-empty: why the original does not run it
    quick_flags: tuple[str, ...] = ("--n", "--runs")

    def argv(self, impl: str, quick: bool) -> list[str]:
        args = list(self.original_args if impl == "original" and self.original_args else self.args)
        if quick:  # argparse keeps the last value of a repeated option
            pairs = zip(QUICK[::2], QUICK[1::2], strict=True)
            args += [
                item for flag, value in pairs if flag in self.quick_flags for item in (flag, value)
            ]
        return [str(PERF / self.script), *args]


WORKLOADS: tuple[Workload, ...] = (
    Workload("text_plain", "bench_text.py", ("--variant", "plain", "--n", "2000")),
    Workload("text_hooks", "bench_text.py", ("--variant", "hooks", "--n", "2000")),
    Workload("text_ai", "bench_text.py", ("--variant", "ai", "--n", "2000")),
    Workload(
        "floor",
        "bench_floor.py",
        ("--n", "2000", "--runs", "5"),
        skip_original="compares ours with plain asyncio + pydantic doing the same work",
    ),
    Workload("rooms", "bench_rooms.py", (), quick_flags=("--rooms", "--runs")),
    # ~65 s per run on the original: one run.
    Workload("rooms_ai", "bench_rooms.py", ("--ai", "--runs", "1"), quick_flags=("--rooms",)),
    Workload("history_5k", "bench_history.py", ("--n", "5000")),
    Workload(
        "history_50k",
        "bench_history.py",
        ("--n", "50000", "--budget-s", "120"),
        skip_original="too slow: 19,000 messages after 30 s, already at 0.17 of its start rate",
    ),
    Workload("history_ai_2k", "bench_history.py", ("--ai", "--n", "2000")),
    Workload("memory", "bench_memory.py", (), quick_flags=("--events", "--traced-events")),
    Workload("import", "bench_import.py", (), quick_flags=()),
    Workload("ai_overhead", "bench_ai_overhead.py", ("--n", "1000")),
    Workload("persistence_pg", "bench_persistence.py", ("--n", "1000")),
    Workload("persistence_pg_100", "bench_persistence.py", ("--n", "3000", "--rooms", "100")),
    Workload("persistence_pg_ai", "bench_persistence.py", ("--n", "500", "--ai")),
    Workload(
        "workers",
        "bench_workers.py",
        ("--n", "1500", "--runs", "3"),
        skip_original="ours only: counts roomkit-redis lock wake-ups in worker processes",
        quick_flags=("--n", "--runs", "--rooms"),
    ),
    Workload(
        "workers_1room",
        "bench_workers.py",
        ("--n", "600", "--rooms", "1", "--runs", "3"),
        skip_original="ours only: counts roomkit-redis lock wake-ups in worker processes",
    ),
    Workload("voice_pipeline", "bench_voice_pipeline.py", ("--n", "50000")),
    Workload(
        "voice_pipeline_noop", "bench_voice_pipeline.py", ("--n", "50000", "--stages", "noop")
    ),
    Workload("voice_pipeline_20", "bench_voice_pipeline.py", ("--n", "50000", "--sessions", "20")),
    Workload("voice_call_1h", "bench_voice_pipeline.py", ("--mode", "call", "--n", "180000")),
    Workload(
        "voice_stages",
        "bench_voice_stages.py",
        ("--n", "20000", "--sessions", "10"),
        skip_original="0.6.7 has no soxr resampler or energy AGC stage to run the same chain",
    ),
    Workload(
        "voice_latency",
        "bench_voice_latency.py",
        ("--n", "200"),
        skip_original="measures with VoiceChannel(clock=...) and turn_latencies_ms(), ours only",
    ),
    Workload(
        "voice_latency_local",
        "bench_voice_latency_local.py",
        ("--n", "12", "--runs", "1"),
        skip_original="local models (silero, Whisper tiny.en, Piper) through our plugins only",
    ),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _imports_roomkit(python: str, env: dict[str, str]) -> tuple[bool, str]:
    proc = subprocess.run(
        [python, "-c", "import platform, roomkit; "
         "print(getattr(roomkit, '__version__', '?'), 'on Python', platform.python_version())"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    tail = (proc.stdout if proc.returncode == 0 else proc.stderr).strip().splitlines()
    return proc.returncode == 0, tail[-1] if tail else ""


def original_python() -> str:
    """The venv with the original RoomKit; created or repaired when needed."""
    python = ORIG_VENV / "bin" / "python"
    env = _clean_env()
    ok, detail = _imports_roomkit(str(python), env) if python.exists() else (False, "")
    if ok and detail.split()[0] == ORIG_VERSION:
        probe = subprocess.run([str(python), "-c", "import asyncpg"], env=env, check=False)
        if probe.returncode != 0:  # venvs made before the persistence workload
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "asyncpg"], check=True, env=env
            )
        return str(python)
    log(f"creating {ORIG_VENV} (Python 3.12 + roomkit=={ORIG_VERSION}) ...")
    base = shutil.which("python3.12")
    if base is None:
        raise SystemExit("python3.12 not found: the original RoomKit needs Python >= 3.12")
    venv_env = {**env, "PYENV_VERSION": os.environ.get("PYENV_VERSION", "3.12.1")}
    subprocess.run([base, "-m", "venv", str(ORIG_VENV)], check=True, env=venv_env)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"roomkit=={ORIG_VERSION}", "asyncpg"],
        check=True, env=env,
    )  # fmt: skip
    return str(python)


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH; bytecode cached under .bench/ so imports are not timed compiling source.

    A venv installed by uv has no .pyc files and PYTHONDONTWRITEBYTECODE may be set, while pip
    compiles at install time: without a shared cache the two import timings would differ by the
    compile time (about 2x here), not by the libraries.
    """
    dropped = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def ours_same_python() -> str | None:
    """A Python 3.12 venv with our distributions (editable), created when missing.

    The original needs Python 3.12; running ours on the same version keeps interpreter
    differences out of the ratios. ``None`` when python3.12 is not available.
    """
    python = OURS_VENV / "bin" / "python"
    env = _clean_env()
    if python.exists() and _imports_roomkit(str(python), env)[0]:
        probe = subprocess.run([str(python), "-c", "import roomkit_redis"], env=env, check=False)
        if probe.returncode != 0:  # venvs made before the worker-process workload
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "-e",
                 str(ROOT / "plugins" / "roomkit-redis")],
                check=True, env=env,
            )  # fmt: skip
        return str(python)
    base = shutil.which("python3.12")
    if base is None:
        return None
    log(f"creating {OURS_VENV} (Python 3.12 + this repository's kernel) ...")
    venv_env = {**env, "PYENV_VERSION": os.environ.get("PYENV_VERSION", "3.12.1")}
    subprocess.run([base, "-m", "venv", str(OURS_VENV)], check=True, env=venv_env)
    editable = [arg for dist in OURS_DISTS for arg in ("-e", str(ROOT / dist))]
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *editable],
        check=True, env=env,
    )  # fmt: skip
    return str(python)


def ours_runtime(requested: str | None) -> tuple[str, dict[str, str], str]:
    """Interpreter, environment and a note for our kernel (falls back to kernel/src on the path).

    Without ``--ours-python``: the Python 3.12 venv of :func:`ours_same_python` (the
    original's version), else the repo's .venv.
    """
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = requested or ours_same_python()
    python = python or (str(venv_python) if venv_python.exists() else sys.executable)
    env = _clean_env()
    ok, detail = _imports_roomkit(python, env)
    if ok:
        return python, env, f"roomkit {detail}"
    if KERNEL_SRC.is_dir():
        with_src = {**env, "PYTHONPATH": str(KERNEL_SRC)}
        ok_src, detail_src = _imports_roomkit(python, with_src)
        if ok_src:
            return python, with_src, f"roomkit {detail_src} (from PYTHONPATH={KERNEL_SRC})"
        detail = detail_src
    return python, env, f"import roomkit fails: {detail}"


def _failure(stderr: str) -> str:
    """The exception line, plus the last benchmark line it came through (which API call)."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    frames = [m for line in lines if (m := _FRAME.match(line)) and m["file"].startswith(str(PERF))]
    if not frames:
        return lines[-1]
    last = frames[-1]
    return f"{lines[-1]} (at {Path(last['file']).name}:{last['line']} in {last['func']})"


def run_workload(
    python: str, env: dict[str, str], argv: list[str], timeout: float
) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [python, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"error": _failure(proc.stderr) or f"exit code {proc.returncode}"}
    result: dict[str, Any] = json.loads(lines[-1])
    result["bench_wall_s"] = round(wall, 2)
    return result


def _previous(path: Path) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded
    except (OSError, ValueError):
        return {}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", choices=("ours", "original"))
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 run (smoke test)")
    parser.add_argument("--ours-python", help="interpreter with our kernel installed")
    parser.add_argument("--workloads", help="comma-separated subset, e.g. text_plain,import")
    parser.add_argument("--timeout", type=float, default=300.0, help="per workload, seconds")
    parser.add_argument("--output", type=Path, default=PERF / "results.json")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    selected = set(args.workloads.split(",")) if args.workloads else None
    workloads = [w for w in WORKLOADS if selected is None or w.key in selected]
    impls = [args.only] if args.only else ["ours", "original"]
    previous = _previous(args.output)
    results: dict[str, Results] = {
        impl: dict(previous.get(impl, {})) for impl in ("ours", "original")
    }
    runtimes: dict[str, tuple[str, dict[str, str], str]] = {}
    if "ours" in impls:
        runtimes["ours"] = ours_runtime(args.ours_python)
    if "original" in impls:
        orig = original_python()
        runtimes["original"] = (
            orig,
            _clean_env(),
            f"roomkit {_imports_roomkit(orig, _clean_env())[1]}",
        )
    for impl, (python, _, note) in runtimes.items():
        log(f"{impl}: {python} ({note})")
    load_start = os.getloadavg()[0]
    for workload in workloads:
        for impl in impls:
            python, env, note = runtimes[impl]
            if impl == "original" and workload.skip_original:
                results[impl][workload.key] = {"skipped": workload.skip_original}
                continue
            if note.startswith("import roomkit fails"):
                results[impl][workload.key] = {"error": note}
                continue
            log(f"[{impl}] {workload.key} ...")
            entry = run_workload(python, env, workload.argv(impl, args.quick), args.timeout)
            log(f"[{impl}] {workload.key}: {entry.get('bench_wall_s', entry.get('error'))}")
            results[impl][workload.key] = entry
    report = {
        "meta": {
            "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "quick": args.quick,
            "load_avg_1min": {"start": load_start, "end": os.getloadavg()[0]},
            "interpreters": {impl: rt[0] for impl, rt in runtimes.items()},
            "notes": {impl: rt[2] for impl, rt in runtimes.items()},
            "ran": impls,
            "carried_over": {
                impl: previous.get("meta", {}).get("when")
                for impl in ("ours", "original")
                if impl not in impls and previous.get(impl)
            },
        },
        **results,
    }
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    if args.quick:
        print("QUICK MODE: reduced sizes, 1 run; the labels name the full sizes.\n")
    busiest = max(load_start, os.getloadavg()[0])
    if busiest > 0.5 * (os.cpu_count() or 1):
        print(f"Machine busy (1-min load average up to {busiest:.1f}): numbers are noisy.\n")
    print(markdown_table(results["ours"], results["original"]))
    notes = problems(results["ours"], results["original"])
    if notes:
        print("\nNotes:\n" + "\n".join(f"- {note}" for note in notes))
    print(f"\nWrote {args.output}")


if __name__ == "__main__":
    main()
