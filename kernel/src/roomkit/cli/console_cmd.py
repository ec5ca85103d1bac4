"""``roomkit console``: the browser dev console (from the ``roomkit-console`` distribution).

The console is not part of the kernel; it is imported only when this command runs, and a
missing distribution is reported with what to install.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from roomkit.plugins.known import install_hint

__all__ = ["INSTALL_HINT", "add_parser", "run"]

INSTALL_HINT = f"roomkit console needs the dev console: {install_hint('roomkit-console')}"


def add_parser(commands: Any) -> None:
    """Add the ``console`` command."""
    console = commands.add_parser(
        "console",
        help="serve the browser dev console for a kit on 127.0.0.1 (roomkit-console)",
    )
    console.add_argument(
        "target",
        nargs="?",
        default=None,
        metavar="TARGET",
        help="the kit: module:attribute or file.py:attribute (a RoomKit or a function)",
    )
    console.add_argument(
        "--demo", action="store_true", help="serve the triage / handoff demo kit instead"
    )
    console.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    console.add_argument("--port", type=int, default=8765, help="port to bind (8765)")
    console.add_argument(
        "--allow-remote",
        action="store_true",
        help="answer non-loopback clients too (they can read and write every room)",
    )
    console.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Hand over to ``roomkit_console.cli.console``."""
    try:
        cli = importlib.import_module("roomkit_console.cli")
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != "roomkit_console":
            raise
        print(f"roomkit: {INSTALL_HINT}", file=sys.stderr)
        return 1
    code: int = cli.console(
        args.target,
        demo=args.demo,
        host=args.host,
        port=args.port,
        allow_remote=args.allow_remote,
    )
    return code
