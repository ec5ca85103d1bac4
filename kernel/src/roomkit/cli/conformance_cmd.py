"""``roomkit conformance [PLUGIN ...]``: run the conformance suites for installed plugins.

Needs the ``roomkit-conformance`` distribution (the suites and the runner live there). Every
selected component runs through its kind's suite in one pytest session; the command prints
each component's result as soon as it is known, then a table, and exits 1 if any component
failed, had no suite, no conformance factory (without a declared exemption), no test that ran,
or lacks an optional test dependency (named once, with what to install).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

from roomkit.cli.common import load_catalogue
from roomkit.cli.output import print_json, render_table
from roomkit.plugins.known import install_hint

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Add the ``conformance`` command."""
    cmd = commands.add_parser(
        "conformance", help="run the conformance suites against installed plugins"
    )
    cmd.add_argument("plugins", nargs="*", metavar="PLUGIN", help="plugins to check (default: all)")
    cmd.add_argument("--kind", action="append", default=[], help="only components of this kind")
    cmd.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds for the whole run (default 1800)"
    )
    cmd.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output")
    cmd.add_argument("--json", action="store_true", help="print the results as JSON")
    cmd.add_argument("--keep", type=Path, default=None, help="keep generated tests in this folder")
    cmd.add_argument(
        "--pytest-arg",
        action="append",
        default=[],
        dest="pytest_args",
        metavar="ARG",
        help="extra argument passed to pytest (repeatable)",
    )
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Select targets, run them with progress, print the table; 1 if anything failed."""
    if importlib.util.find_spec("roomkit_conformance") is None:
        print(
            "roomkit: error: the conformance suite is not installed; "
            + install_hint("roomkit-conformance"),
            file=sys.stderr,
        )
        return 2
    from roomkit_conformance.runner import (
        Target,
        TargetResult,
        missing_requirement,
        run_targets,
        select_targets,
    )

    catalogue = load_catalogue(args)
    targets = select_targets(catalogue, args.plugins)
    if args.kind:
        targets = [t for t in targets if t.kind in set(args.kind)]
    if not targets:
        print("no components to check", file=sys.stderr)
        return 1
    progress_stream = sys.stderr if args.json else sys.stdout

    def progress(number: int, total: int, target: Target, result: TargetResult) -> None:
        summary = f"{result.passed} passed, {result.failed} failed, {result.skipped} skipped"
        if result.errors:
            summary += f", {result.errors} errors"
        extra = f" ({result.detail})" if result.detail else ""
        print(
            f"[{number}/{total}] {target.plugin}: {target.label} {result.status.upper()} "
            f"{summary} in {result.seconds:.1f}s{extra}",
            flush=True,
            file=progress_stream,
        )

    needs: dict[str, list[str]] = {}
    for target in targets:
        requirement = missing_requirement(target)
        if requirement is not None:
            needs.setdefault(requirement.hint, []).append(f"{target.plugin} {target.label}")
    for hint, labels in needs.items():
        print(f"roomkit: {hint}", file=sys.stderr)
        print(f"  needed by: {', '.join(labels)}", file=sys.stderr)
    runnable = sum(1 for t in targets if t.factory is not None)
    print(
        f"checking {len(targets)} component(s), {runnable} through one pytest session",
        flush=True,
        file=progress_stream,
    )
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    results = run_targets(
        targets,
        timeout=args.timeout,
        verbose=args.verbose,
        pytest_args=args.pytest_args,
        keep=args.keep,
        progress=progress,
    )
    failed = [r for r in results if not r.ok]
    if args.json:
        print_json({"results": [r.to_dict() for r in results], "ok": not failed})
    else:
        rows = [
            [
                r.target.plugin,
                r.target.kind,
                r.target.name,
                r.status,
                str(r.passed),
                str(r.failed),
                str(r.skipped),
                str(r.errors),
                r.detail,
            ]
            for r in results
        ]
        headers = ["PLUGIN", "KIND", "NAME", "STATUS", "PASS", "FAIL", "SKIP", "ERROR", "DETAIL"]
        print()
        print(render_table(headers, rows))
        for result in failed:
            print(f"\n{result.target.plugin} {result.target.label}: {result.status}")
            for failure in result.failures[:20] or [result.detail]:
                print(f"  - {failure}")
        passed = sum(r.passed for r in results)
        fails = sum(r.failed + r.errors for r in results)
        skipped = sum(r.skipped for r in results)
        print(f"\n{passed} passed, {fails} failed, {skipped} skipped")
    return 1 if failed else 0
