"""Write the committed snapshot of RoomKit 0.6.7's public surface (facts only).

Run under an interpreter where ``roomkit==0.6.7`` is installed::

    /work/orig067/bin/python tests/compat/snapshot_067.py

or let the script build that interpreter itself (Python 3.12 from pyenv, ``pip install
roomkit==0.6.7`` into a fresh virtualenv) and re-run itself inside it::

    python3 tests/compat/snapshot_067.py --fresh-venv [DIR]

The output (``roomkit_067_surface.json`` beside this file) lists every name of
``roomkit.__all__`` and of the subpackages the 0.6.7 README imports from, with its kind,
its signature (parameter names, kinds and defaults as text) and, for classes and enums, their
public members. Everything comes from introspection; no source text or docstring is stored.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "roomkit_067_surface.json"
VERSION = "0.6.7"
PYTHON_VERSION = "3.12.1"

SUBPACKAGES = ["roomkit.sources", "roomkit.voice.interruption", "roomkit.voice.pipeline"]
"""Modules other than ``roomkit`` that the 0.6.7 README imports names from."""

EXTRA_CLASSES = {"CircuitBreaker": "roomkit.core.circuit_breaker"}
"""Classes named by the parity brief that 0.6.7 does not export from ``roomkit``."""

INSTANCE_PROBES = {
    "AIChannel": 'AIChannel("probe-ai", provider=MockAIProvider(responses=["ok"]))',
    "Agent": 'Agent("probe-agent", provider=MockAIProvider(responses=["ok"]), role="probe")',
    "ConversationRouter": "ConversationRouter()",
    "HandoffHandler": "HandoffHandler(RoomKit(), ConversationRouter())",
    "HookEngine": "HookEngine()",
    "InMemoryStore": "InMemoryStore()",
    "RoomKit": "RoomKit()",
    "SkillRegistry": "SkillRegistry()",
}
"""Constructor calls (names from ``roomkit``) whose instances show attributes set in
``__init__``; the parity test makes the same calls on our side."""


def snapshot() -> dict[str, Any]:
    """Introspect the installed roomkit (must be 0.6.7) into plain JSON data."""
    from compat_surface import describe_name, instance_attributes, module_public_names

    roomkit = importlib.import_module("roomkit")
    installed = getattr(roomkit, "__version__", "?")
    if installed != VERSION:
        raise SystemExit(f"roomkit {VERSION} is required, this interpreter has {installed}")

    def describe_module(module_name: str) -> dict[str, Any]:
        module = importlib.import_module(module_name)
        names = roomkit.__all__ if module is roomkit else module_public_names(module)
        return {name: describe_name(getattr(module, name)) for name in sorted(names)}

    names = describe_module("roomkit")
    for class_name, call in sorted(INSTANCE_PROBES.items()):
        members = names[class_name]["members"]
        for attr in instance_attributes(roomkit, call):
            members.setdefault(attr, {"kind": "instance attribute"})
        names[class_name]["members"] = dict(sorted(members.items()))
        names[class_name]["probe"] = call

    extra = {}
    for name, module_name in sorted(EXTRA_CLASSES.items()):
        entry = describe_name(getattr(importlib.import_module(module_name), name))
        extra[f"{module_name}:{name}"] = entry
    return {
        "roomkit_version": VERSION,
        "python": platform.python_version(),
        "names": names,
        "subpackages": {m: describe_module(m) for m in SUBPACKAGES},
        "extra": extra,
    }


def _run_in_fresh_venv(target: Path, out: Path) -> int:
    """Create a Python 3.12 venv in ``target`` with roomkit 0.6.7 and run this script there."""
    env = dict(os.environ, PYENV_VERSION=PYTHON_VERSION)
    python = target / "bin" / "python"
    if not python.exists():
        subprocess.run(["python3.12", "-m", "venv", str(target)], check=True, env=env)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"roomkit=={VERSION}"], check=True
    )
    return subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--out", str(out)]
    ).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file to write")
    parser.add_argument(
        "--fresh-venv",
        nargs="?",
        const="",
        metavar="DIR",
        help="build a Python 3.12 virtualenv with roomkit 0.6.7 (in DIR or a temporary folder)",
    )
    args = parser.parse_args(argv)
    if args.fresh_venv is not None:
        if args.fresh_venv:
            return _run_in_fresh_venv(Path(args.fresh_venv), args.out)
        with tempfile.TemporaryDirectory(prefix="roomkit067-") as tmp:
            return _run_in_fresh_venv(Path(tmp) / "venv", args.out)
    sys.path.insert(0, str(HERE))
    data = snapshot()
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    names = len(data["names"])
    print(f"wrote {args.out} ({names} names from roomkit {data['roomkit_version']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
