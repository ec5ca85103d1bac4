"""Run the conformance suites against installed components (``roomkit conformance``).

For each component that has a conformance factory and a suite for its kind, the runner writes
a small pytest module that subclasses the suite with a ``component`` fixture calling the
factory. All the modules run in **one** pytest subprocess (so wire fakes and imports are shared,
and a crash or hang stays out of the caller's process); each component keeps its own fixtures,
so one component's failure never touches another's tests. This package's pytest plugin streams
one JSON line per finished test, from which the runner reports each component as soon as its
last test is done.

A component fails the run when it has no suite for its kind, no conformance factory (unless its
descriptor says why with ``conformance_exempt``), when no test of it ran, or when an optional
test dependency its suite needs is missing (said once, up front, with what to install).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.known import install_hint
from roomkit_conformance.suites import suite_for

__all__ = [
    "LLMOCK",
    "Progress",
    "Requirement",
    "Target",
    "TargetResult",
    "missing_requirement",
    "render_module",
    "run_target",
    "run_targets",
    "select_targets",
]

Status = Literal["passed", "failed", "error", "exempt"]

#: Called once per component when its result is known: ``(number, total, target, result)``.
Progress = Callable[[int, int, "Target", "TargetResult"], None]


@dataclass(frozen=True)
class Target:
    """One component to check: where it comes from and how to build it."""

    plugin: str
    kind: str
    name: str
    factory: str | None
    suite: str | None
    capabilities: frozenset[str] = frozenset()
    exempt: str | None = None

    @property
    def label(self) -> str:
        """``kind:name`` as shown in the report."""
        return f"{self.kind}:{self.name}"

    @property
    def problem(self) -> str | None:
        """Why the target cannot run (no suite, or no factory and no exemption), else None."""
        if self.suite is None:
            return f"no conformance suite for kind {self.kind!r}"
        if self.factory is None and self.exempt is None:
            return "no conformance factory declared (and no conformance_exempt reason)"
        return None


@dataclass
class TargetResult:
    """The outcome of one target."""

    target: Target
    status: Status
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0
    seconds: float = 0.0
    detail: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Passed, or exempt with a declared reason."""
        return self.status in ("passed", "exempt")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "plugin": self.target.plugin,
            "kind": self.target.kind,
            "name": self.target.name,
            "status": self.status,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "detail": self.detail,
            "failures": self.failures,
        }


def select_targets(catalogue: Catalogue, plugins: Sequence[str] = ()) -> list[Target]:
    """Every component of the named plugins (all healthy plugins when none are named)."""
    records = [catalogue.plugin(name) for name in plugins] if plugins else catalogue.plugins
    return [
        Target(
            plugin=record.name,
            kind=descriptor.kind,
            name=descriptor.name,
            factory=descriptor.conformance,
            suite=suite_for(descriptor.kind),
            capabilities=frozenset(descriptor.capabilities),
            exempt=descriptor.conformance_exempt,
        )
        for record in records
        for descriptor in record.components
    ]


# -- optional test dependencies ------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """An optional test dependency: the module to import and the extra that installs it."""

    module: str
    extra: str
    what: str

    @property
    def hint(self) -> str:
        """What to run to install it."""
        return f"{self.what} is not installed; " + install_hint("roomkit-conformance", self.extra)


#: The LLM wire fake: AI-provider factories built on ``roomkit_conformance.wire.llm``.
LLMOCK = Requirement("llmock", "llm", "the LLM wire fake (llmock)")

#: What a factory's source names when it runs llmock: the wire fake's module, or the helper
#: AI-provider factories build on (:func:`roomkit_conformance.suites.ai_wire.llmock_instance`).
_LLM_WIRE_MARKERS = ("roomkit_conformance.wire.llm", "llmock_instance")


def missing_requirement(target: Target) -> Requirement | None:
    """The optional test dependency ``target``'s conformance factory needs and lacks."""
    if target.factory is None or not _uses_llm_wire(target.factory):
        return None
    if importlib.util.find_spec(LLMOCK.module) is not None or shutil.which("llmock"):
        return None
    return LLMOCK


def _uses_llm_wire(ref: str) -> bool:
    """Whether the factory's module runs the llmock wire fake (read, not imported)."""
    module = ref.partition(":")[0]
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return False
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return False
    try:
        source = Path(spec.origin).read_text(encoding="utf-8")
    except OSError:
        return False
    return any(marker in source for marker in _LLM_WIRE_MARKERS)


# -- generated test modules ----------------------------------------------------------------


def _class_name(target: Target) -> str:
    raw = f"Test_{target.plugin}_{target.kind}_{target.name}"
    return re.sub(r"\W", "_", raw)


def render_module(target: Target) -> str:
    """The source of a pytest module checking ``target`` against its suite.

    The descriptor's conformance reference is either a factory (function, async function,
    async generator or async context manager) -- the module then defines ``component`` (and a
    ``second_component`` built with ``peer=`` when the factory accepts it) -- or a *fixtures
    class*: a class whose fixtures (``component``, ``second_component``, ``abandon``, ``wire``
    ...) the generated test class inherits, e.g. the plugin's own test class.
    """
    if target.factory is None or target.suite is None:
        raise ValueError(f"{target.label} has no factory or suite")
    module, _, cls = target.suite.partition(":")
    name = _class_name(target)
    ref = target.factory
    capabilities = f"frozenset({sorted(target.capabilities)!r})"
    return "\n".join(
        [
            '"""Generated by `roomkit conformance`; do not edit."""',
            "import pytest",
            "import pytest_asyncio",
            "",
            "from roomkit.plugins.descriptors import load_ref",
            "from roomkit_conformance.harness import accepts_peer, open_component",
            f"from {module} import {cls} as _Suite",
            "",
            f"_PROVIDED = load_ref({ref!r})",
            "",
            "if isinstance(_PROVIDED, type):",
            "",
            f"    class {name}(_PROVIDED, _Suite):",
            f"        capabilities = {capabilities}",
            "",
            "else:",
            "",
            f"    class {name}(_Suite):  # type: ignore[no-redef]",
            f"        capabilities = {capabilities}",
            "",
            "        @pytest_asyncio.fixture",
            "        async def component(self):",
            f"            async with open_component({ref!r}) as value:",
            "                yield value",
            "",
            "        @pytest_asyncio.fixture",
            "        async def second_component(self, component):",
            f"            if not accepts_peer({ref!r}):",
            "                pytest.skip('factory takes no `peer`: no second instance')",
            f"            async with open_component({ref!r}, peer=component) as value:",
            "                yield value",
            "",
        ]
    )


_INI = """[pytest]
asyncio_mode = strict
asyncio_default_fixture_loop_scope = function
"""


def _module_name(number: int, target: Target) -> str:
    slug = re.sub(r"\W", "_", f"{target.plugin}_{target.kind}_{target.name}")
    return f"test_{number:03d}_{slug}.py"


# -- running -------------------------------------------------------------------------------


class _Session:
    """Follows the event stream of one pytest session and settles each target's result."""

    def __init__(self, files: dict[str, Target], progress: Callable[[TargetResult], None]):
        self._files = files
        self._progress = progress
        self.results: dict[str, TargetResult] = {
            f: TargetResult(target, "passed") for f, target in files.items()
        }
        self._expected: dict[str, set[str]] | None = None
        self._pending: dict[str, set[str]] = {}
        self._done: set[str] = set()
        self._last = time.perf_counter()

    def feed(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "collected":
            expected: dict[str, set[str]] = {f: set() for f in self._files}
            for nodeid in event["nodeids"]:
                file = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
                if file in expected:
                    expected[file].add(nodeid)
            self._expected = expected
            self._pending = {f: set(ids) for f, ids in expected.items()}
            for file, ids in expected.items():
                if not ids:  # its module failed to import, or the suite has no test
                    self._finish(file)
            return
        file = event["nodeid"].split("::", 1)[0].rsplit("/", 1)[-1]
        result = self.results.get(file)
        if result is None:
            return
        if kind == "collect_error":
            result.errors += 1
            result.failures.append(f"collection failed: {event['message']}")
            return
        outcome, test = event["outcome"], event["nodeid"].split("::")[-1]
        if outcome == "passed":
            result.passed += 1
        elif outcome == "skipped":
            result.skipped += 1
        elif outcome == "failed":
            result.failed += 1
            result.failures.append(f"{test}: {event['message']}")
        else:
            result.errors += 1
            result.failures.append(f"{test} ({outcome}): {event['message']}")
        pending = self._pending.get(file)
        if pending is not None:
            pending.discard(event["nodeid"])
            if not pending:
                self._finish(file)

    def _finish(self, file: str, incomplete: str = "") -> None:
        if file in self._done:
            return
        self._done.add(file)
        result = self.results[file]
        now = time.perf_counter()
        result.seconds, self._last = now - self._last, now
        if result.failed:
            result.status = "failed"
        elif result.errors or incomplete:
            result.status = "error"
        elif result.passed == 0:
            result.status = "failed"
            skipped = " (every test was skipped)" if result.skipped else ""
            result.detail = f"no test ran{skipped}"
        if incomplete:
            result.detail = incomplete
        elif result.status == "error" and result.failures:
            result.detail = result.failures[0]
        self._progress(result)

    def close(self, incomplete: str) -> None:
        """The session ended: settle the targets not finished yet."""
        for file in self._files:
            finished = self._expected is not None and not self._pending.get(file)
            self._finish(file, "" if finished else incomplete)


def run_targets(
    targets: Sequence[Target],
    *,
    timeout: float = 1800.0,
    verbose: bool = False,
    pytest_args: Sequence[str] = (),
    keep: Path | None = None,
    extra_pythonpath: Iterable[str] = (),
    progress: Progress | None = None,
    python: str | None = None,
) -> list[TargetResult]:
    """Check every target in one pytest session; ``progress`` hears of each result."""
    total = len(targets)
    numbers = {id(t): n for n, t in enumerate(targets, start=1)}
    settled: dict[int, TargetResult] = {}

    def report(result: TargetResult) -> None:
        settled[id(result.target)] = result
        if progress is not None:
            progress(numbers[id(result.target)], total, result.target, result)

    runnable: dict[str, Target] = {}
    for number, target in enumerate(targets, start=1):
        requirement = missing_requirement(target)
        problem = target.problem or (requirement and f"needs {requirement.what}")
        if problem:
            report(TargetResult(target, "error", detail=problem))
        elif target.factory is None:
            report(TargetResult(target, "exempt", detail=f"exempt: {target.exempt}"))
        else:
            runnable[_module_name(number, target)] = target
    if runnable:
        with tempfile.TemporaryDirectory(prefix="roomkit-conformance-") as tmp:
            workdir = keep if keep is not None else Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            _run_session(
                runnable,
                workdir=workdir,
                timeout=timeout,
                verbose=verbose,
                pytest_args=pytest_args,
                extra_pythonpath=extra_pythonpath,
                python=python,
                report=report,
            )
    return [settled[id(t)] for t in targets]


def run_target(target: Target, *, workdir: Path, **options: Any) -> TargetResult:
    """Check one target (a session of its own), keeping the generated files in ``workdir``."""
    (result,) = run_targets([target], keep=workdir, **options)
    return result


def _run_session(
    files: dict[str, Target],
    *,
    workdir: Path,
    timeout: float,
    verbose: bool,
    pytest_args: Sequence[str],
    extra_pythonpath: Iterable[str],
    python: str | None,
    report: Callable[[TargetResult], None],
) -> None:
    for file, target in files.items():
        (workdir / file).write_text(render_module(target), encoding="utf-8")
    (workdir / "pytest.ini").write_text(_INI, encoding="utf-8")
    events = workdir / "events.jsonl"
    events.write_text("", encoding="utf-8")
    output = workdir / "pytest-output.txt"
    command = [
        python or sys.executable,
        "-m",
        "pytest",
        *sorted(files),
        "-c",
        str(workdir / "pytest.ini"),
        "--rootdir",
        str(workdir),
        "-p",
        "no:cacheprovider",
        "--continue-on-collection-errors",
        f"--roomkit-report={events}",
        "-v" if verbose else "-q",
        *pytest_args,
    ]
    env = dict(os.environ)
    paths = [p for p in [*extra_pythonpath, env.get("PYTHONPATH", "")] if p]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    session = _Session(files, report)
    deadline = time.monotonic() + timeout
    with output.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdout=None if verbose else sink,
            stderr=None if verbose else subprocess.STDOUT,
            text=True,
        )
        offset = 0
        timed_out = False
        while True:
            try:
                process.wait(timeout=0.2)
                finished = True
            except subprocess.TimeoutExpired:
                finished = False
            offset = _read_events(events, offset, session)
            if finished:
                break
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                timed_out = True
                break
    if timed_out:
        session.close(f"timed out after {timeout:g} s")
        return
    tail = "" if verbose else output.read_text(encoding="utf-8")[-1500:].strip()
    session.close(f"pytest exited {process.returncode} before finishing: {tail}")


def _read_events(path: Path, offset: int, session: _Session) -> int:
    with path.open("rb") as stream:
        stream.seek(offset)
        data = stream.read()
    complete = data.rfind(b"\n") + 1
    for line in data[:complete].splitlines():
        if line.strip():
            session.feed(json.loads(line))
    return offset + complete
