"""``roomkit serve CONFIG``: run the webhook server (from the ``roomkit-server`` distribution).

The server is not part of the kernel; it is imported only when this command runs, and a
missing distribution is reported with what to install.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from roomkit.plugins.known import install_hint

__all__ = ["INSTALL_HINT", "add_parser", "run"]

INSTALL_HINT = f"roomkit serve needs the webhook server: {install_hint('roomkit-server')}"


def add_parser(commands: Any) -> None:
    """Add the ``serve`` command."""
    serve = commands.add_parser(
        "serve", help="run the webhook server from a TOML / JSON config (roomkit-server)"
    )
    serve.add_argument("config", metavar="CONFIG", help="path of the .toml or .json file")
    serve.add_argument("--host", default=None, help="override [server] host")
    serve.add_argument("--port", type=int, default=None, help="override [server] port")
    serve.add_argument(
        "--check", action="store_true", help="build everything, print the routes and exit"
    )
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Hand over to ``roomkit_server.cli.serve``."""
    try:
        cli = importlib.import_module("roomkit_server.cli")
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != "roomkit_server":
            raise
        print(f"roomkit: {INSTALL_HINT}", file=sys.stderr)
        return 1
    code: int = cli.serve(args.config, host=args.host, port=args.port, check=args.check)
    return code
