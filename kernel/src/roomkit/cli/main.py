"""The ``roomkit`` command: entry point and argument parsing.

Each command group lives in its own module (``plugins_cmd``, ``doctor``, ``conformance_cmd``)
and contributes a ``add_parser(subparsers)`` and a ``run(args) -> int``.

Exit codes: 0 success, 1 failures or problems found, 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from roomkit import __version__
from roomkit.cli import conformance_cmd, console_cmd, doctor, plugins_cmd, serve_cmd
from roomkit.errors import RoomKitError
from roomkit.plugins.api import PLUGIN_API_VERSION

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser of the ``roomkit`` command."""
    parser = argparse.ArgumentParser(
        prog="roomkit",
        description="RoomKit: inspect installed plugins, check the environment, run conformance.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"roomkit-kernel {__version__} (plugin API {PLUGIN_API_VERSION})",
    )
    parser.add_argument(
        "--block",
        action="append",
        default=[],
        metavar="PLUGIN",
        help="do not load this plugin (repeatable; adds to ROOMKIT_PLUGINS_BLOCK)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="treat any plugin problem as an error (like ROOMKIT_PLUGINS_STRICT=1)",
    )
    parser.add_argument(
        "--no-autoload",
        dest="autoload",
        action="store_false",
        default=None,
        help="load only the built-in plugin (like ROOMKIT_DISABLE_PLUGIN_AUTOLOAD=1)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    plugins_cmd.add_parser(commands)
    doctor.add_parser(commands)
    conformance_cmd.add_parser(commands)
    serve_cmd.add_parser(commands)
    console_cmd.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``roomkit`` command line; returns (and, as a script, exits with) its code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = handler(args)
    except RoomKitError as exc:
        print(f"roomkit: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("roomkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    return code


if __name__ == "__main__":  # pragma: no cover - python -m roomkit.cli.main
    sys.exit(main())
