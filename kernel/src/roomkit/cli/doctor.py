"""``roomkit doctor``: is this environment healthy for RoomKit?

Checks the Python and kernel versions, every plugin's status (broken, invalid, incompatible),
components or exported names claimed by more than one plugin, every component's lazy
``module:attr`` references (located by default, imported with ``--deep``), plugins that are
costly to load (CPU time, and the modules their plugin module imported), and whether the
conformance suite and its optional test dependencies are installed. Exits 1 when anything
needs fixing.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
from typing import Any

from roomkit import __version__
from roomkit.cli.common import load_catalogue
from roomkit.cli.output import print_json
from roomkit.plugins.api import (
    DISABLE_AUTOLOAD_ENV,
    PLUGIN_API_VERSION,
    PLUGINS_BLOCK_ENV,
    PLUGINS_STRICT_ENV,
)
from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.known import install_hint
from roomkit.plugins.manager import env_flag, env_list
from roomkit.plugins.references import check_references

__all__ = ["MIN_PYTHON", "SLOW_PLUGIN_CPU_MS", "add_parser", "collect", "run"]

MIN_PYTHON = (3, 11)

#: A plugin module costing more CPU than this to load does heavy work at import time (most
#: often: it imports its vendor SDK eagerly). CPU time, not wall time: a busy machine makes
#: every import slower to wait for, not costlier to run.
SLOW_PLUGIN_CPU_MS = 100.0


def add_parser(commands: Any) -> None:
    """Add the ``doctor`` command."""
    doctor = commands.add_parser("doctor", help="check the environment and installed plugins")
    doctor.add_argument("--json", action="store_true", help="print JSON")
    doctor.add_argument(
        "--deep",
        action="store_true",
        help="import every component's factory and config model (imports vendor SDKs)",
    )
    doctor.set_defaults(handler=run)


def collect(args: argparse.Namespace) -> dict[str, Any]:
    """Gather the report: environment facts, plugins, problems and warnings."""
    catalogue = load_catalogue(args, strict=False)
    problems: list[str] = []
    warnings: list[str] = []
    if sys.version_info[:2] < MIN_PYTHON:
        problems.append(
            f"Python {platform.python_version()} is too old; RoomKit needs "
            f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer"
        )
    problems.extend(catalogue.problems())
    problems.extend(
        str(broken)
        for broken in check_references(catalogue, deep=bool(getattr(args, "deep", False)))
    )
    warnings.extend(_conformance_warnings(catalogue))
    warnings.extend(_slow_plugin_warnings(catalogue))
    blocked = [r.name for r in catalogue.plugins if r.status == "blocked"]
    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "kernel_version": __version__,
        "plugin_api": PLUGIN_API_VERSION,
        "autoload": not env_flag(DISABLE_AUTOLOAD_ENV)
        and getattr(args, "autoload", None) is not False,
        "strict": env_flag(PLUGINS_STRICT_ENV) or bool(getattr(args, "strict", False)),
        "blocked": sorted(set(blocked) | set(env_list(PLUGINS_BLOCK_ENV))),
        "plugins": [record.to_dict() for record in catalogue.plugins],
        "conflicts": [str(c) for c in catalogue.conflicts()],
        "problems": problems,
        "warnings": warnings,
        "ok": not problems,
    }


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 1 if there are problems (warnings alone still exit 0)."""
    report = collect(args)
    if args.json:
        print_json(report)
        return 0 if report["ok"] else 1
    print(f"python         {report['python']} ({report['executable']})")
    print(f"platform       {report['platform']}")
    print(f"roomkit-kernel {report['kernel_version']} (plugin API {report['plugin_api']})")
    print(f"autoload       {'on' if report['autoload'] else 'off'}")
    if report["blocked"]:
        print(f"blocked        {', '.join(report['blocked'])}")
    print()
    for plugin in report["plugins"]:
        mark = "ok " if plugin["status"] in ("ok", "blocked") else "!! "
        version = plugin["version"] or "?"
        print(f"{mark}{plugin['name']} {version} [{plugin['status']}]")
    print()
    for warning in report["warnings"]:
        print(f"warning: {warning}")
    for problem in report["problems"]:
        print(f"problem: {problem}")
    if report["ok"]:
        print("no problems found")
        return 0
    print(f"{len(report['problems'])} problem(s) found")
    return 1


def _conformance_warnings(catalogue: Catalogue) -> list[str]:
    if importlib.util.find_spec("roomkit_conformance") is None:
        return [
            "roomkit-conformance is not installed: `roomkit conformance` is unavailable; "
            + install_hint("roomkit-conformance")
        ]
    from roomkit_conformance.runner import missing_requirement, select_targets

    needs: dict[str, list[str]] = {}
    for target in select_targets(catalogue):
        requirement = missing_requirement(target)
        if requirement is not None:
            needs.setdefault(requirement.hint, []).append(f"{target.plugin} {target.label}")
    return [
        f"{hint}; `roomkit conformance` cannot check {', '.join(labels)}"
        for hint, labels in needs.items()
    ]


def _slow_plugin_warnings(catalogue: Catalogue) -> list[str]:
    warnings = []
    for record in catalogue.plugins:
        if record.cpu_ms <= SLOW_PLUGIN_CPU_MS:
            continue
        if record.imported:
            shown = ", ".join(record.imported[:8])
            more = f" and {len(record.imported) - 8} more" if len(record.imported) > 8 else ""
            cause = f"its plugin module imported {shown}{more}"
        else:
            cause = "its plugin module does heavy work at import time"
        warnings.append(
            f"plugin {record.name!r} took {record.cpu_ms:.0f} ms of CPU to load: {cause}; "
            "import vendor SDKs lazily (in the component module) so listing plugins stays fast"
        )
    return warnings
