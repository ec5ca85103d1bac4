"""The ``migrate`` / ``status`` command line, run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import asyncpg
import pytest


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "roomkit_postgres", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.asyncio
async def test_migrate_then_status(pg_dsn: str, pg_schema: str, admin: asyncpg.Connection) -> None:
    first = _cli("migrate", "--dsn", pg_dsn, "--schema", pg_schema)
    assert first.returncode == 0, first.stderr
    assert "applied migrations [1, 2, 3, 4, 5]" in first.stdout
    second = _cli("migrate", "--schema", pg_schema, env={"ROOMKIT_POSTGRES_DSN": pg_dsn})
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout
    status = _cli("status", "--dsn", pg_dsn, "--schema", pg_schema)
    assert "applied" in status.stdout
    assert "pending" not in status.stdout
    assert (
        await admin.fetchval(f'SELECT count(*) FROM "{pg_schema}".roomkit_schema_migrations') == 5
    )


def test_missing_dsn_is_explained() -> None:
    result = _cli("migrate", env={"ROOMKIT_POSTGRES_DSN": ""})
    assert result.returncode == 2
    assert "--dsn" in result.stderr


def test_unreachable_server_hides_the_password() -> None:
    result = _cli("migrate", "--dsn", "postgresql://u:hunter2@127.0.0.1:1/db", "--timeout", "2")
    assert result.returncode == 1
    assert "hunter2" not in result.stderr
    assert "***" in result.stderr


def test_bad_schema_name_is_refused(pg_dsn: str) -> None:
    result = _cli("migrate", "--dsn", pg_dsn, "--schema", "x; DROP")
    assert result.returncode == 1
    assert "schema" in result.stderr
