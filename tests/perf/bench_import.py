"""Workload 7: start-up cost of ``import roomkit``.

Runs ``<this interpreter> -c "import roomkit"`` ``--runs`` times in fresh processes (median CPU
time of the child, user + system from ``os.wait4``, and median wall time), the same for
``-c "pass"`` and ``-c "from pydantic import BaseModel"`` as baselines, counts the modules
loaded (``len(sys.modules)`` after the import, and how many the import added), and lists the
slowest imports by cumulative time from ``-X importtime``. Also measures ``from roomkit import
RoomKit, WebSocketChannel, InboundMessage, TextContent`` (``*_used``), which is what a lazily
importing package really costs a program that uses it. Bytecode is compiled and cached before
timing (as ``pip install`` does), so source compilation is never timed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from _common import base_parser, emit

IMPORT = "import roomkit"
# What the workloads (and the seed README's quickstart) actually touch; a lazy package pays here.
IMPORT_USED = "from roomkit import RoomKit, WebSocketChannel, InboundMessage, TextContent"
PYDANTIC = "from pydantic import BaseModel"
COUNT_MODULES = "import sys; n = len(sys.modules); {}; print(len(sys.modules), n)"


def _env() -> dict[str, str]:
    """Let the children cache bytecode (outside the venv when writing it there was disabled)."""
    env = dict(os.environ)
    if env.pop("PYTHONDONTWRITEBYTECODE", None) and "PYTHONPYCACHEPREFIX" not in env:
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "roomkit-bench-pycache")
    return env


ENV = _env()


def _timed(code: str, runs: int, cwd: str) -> tuple[float, float]:
    """(median CPU seconds, median wall seconds) of ``runs`` fresh processes running ``code``.

    CPU is the child's user + system time from ``os.wait4``: on a loaded machine it is far
    steadier than wall time, which also counts the time the child waited for a core.
    """
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=cwd, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, code)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(cpu), statistics.median(wall)


def _modules(code: str, cwd: str) -> tuple[int, int]:
    """(modules after ``code``, modules at start-up)."""
    out = subprocess.run(
        [sys.executable, "-c", COUNT_MODULES.format(code)],
        check=True,
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def _slowest_imports(code: str, cwd: str, top: int) -> list[list[object]]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        check=True,
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
    )
    rows: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].strip()))
    rows.sort(reverse=True)
    return [[name, round(us / 1000, 1)] for us, name in rows[:top]]


def main() -> None:
    parser = base_parser(__doc__ or "")
    parser.set_defaults(runs=7)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cwd:  # nothing on '' shadows the installed package
        for code in (IMPORT, IMPORT_USED, PYDANTIC):  # warm page cache and bytecode
            subprocess.run([sys.executable, "-c", code], cwd=cwd, env=ENV, capture_output=True)
        import_cpu, import_s = _timed(IMPORT, args.runs, cwd)
        startup_cpu, startup_s = _timed("pass", args.runs, cwd)
        pydantic_cpu, pydantic_s = _timed(PYDANTIC, args.runs, cwd)
        modules, at_startup = _modules(IMPORT, cwd)
        result: dict[str, object] = {
            "import_cpu_s": import_cpu,
            "import_s": import_s,
            "python_startup_cpu_s": startup_cpu,
            "python_startup_s": startup_s,
            "import_net_cpu_s": import_cpu - startup_cpu,
            "import_net_s": import_s - startup_s,
            "import_pydantic_cpu_s": pydantic_cpu,
            "import_pydantic_s": pydantic_s,
            "modules": modules,
            "modules_added": modules - at_startup,
            "runs": args.runs,
        }
        try:
            result["modules_used"] = _modules(IMPORT_USED, cwd)[0]
            used_cpu, used_s = _timed(IMPORT_USED, args.runs, cwd)
            result["import_used_cpu_s"] = used_cpu
            result["import_used_s"] = used_s
            result["slowest_imports_cumulative_ms"] = _slowest_imports(IMPORT_USED, cwd, args.top)
        except subprocess.CalledProcessError as exc:
            result["import_used_error"] = str(exc)
    emit("import", result)


if __name__ == "__main__":
    main()
