"""``roomkit-postgres migrate --dsn ... [--schema ...]``: apply pending schema migrations.

Also reachable as ``python -m roomkit_postgres migrate``. ``status`` lists what is applied.
The DSN may come from ``ROOMKIT_POSTGRES_DSN`` so that it stays out of the shell history.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

import asyncpg  # type: ignore[import-untyped]

from roomkit.errors import RoomKitError
from roomkit_postgres._connection import redact
from roomkit_postgres.migrations import MIGRATIONS, applied_versions, apply_migrations

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roomkit-postgres", description="Manage the RoomKit PostgreSQL schema."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("migrate", "apply pending migrations"),
        ("status", "list applied and pending migrations"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--dsn", default=os.environ.get("ROOMKIT_POSTGRES_DSN"))
        cmd.add_argument("--schema", default="public")
        cmd.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    return parser


async def _run(args: argparse.Namespace) -> int:
    conn = await asyncpg.connect(args.dsn, timeout=args.timeout, command_timeout=args.timeout)
    try:
        if args.command == "migrate":
            applied = await apply_migrations(conn, args.schema)
            if applied:
                print(f"applied migrations {applied} to schema {args.schema!r}")
            else:
                print(f"schema {args.schema!r} is up to date")
        else:
            done = await applied_versions(conn, args.schema)
            for migration in MIGRATIONS:
                state = "applied" if migration.version in done else "pending"
                print(f"{migration.version:>4}  {state:<8} {migration.name}")
    finally:
        await conn.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``roomkit-postgres`` console script."""
    args = _parser().parse_args(argv)
    if not args.dsn:
        print("error: give --dsn or set ROOMKIT_POSTGRES_DSN", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args))
    except (RoomKitError, OSError, TimeoutError, asyncpg.PostgresError) as exc:
        print(f"error ({redact(args.dsn)}): {exc}", file=sys.stderr)
        return 1
