"""Versioned schema migrations, recorded in ``roomkit_schema_migrations``.

Migrations are applied in order inside one transaction that holds a transaction-level
advisory lock, so several processes starting at once apply each migration exactly once.
Applied versions are never edited: a schema change is a new entry at the end of
:data:`MIGRATIONS`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from roomkit.errors import ConfigurationError, StoreError

if TYPE_CHECKING:
    import asyncpg  # type: ignore[import-untyped]

__all__ = ["MIGRATIONS", "Migration", "applied_versions", "apply_migrations", "quote_schema"]

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: ``version`` (1, 2, ...), a short name, and its SQL."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the SQL: an applied migration whose text changed is reported."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


# Models are stored whole as JSONB in ``data``; the other columns exist to be indexed.
# ``rooms.activity`` is a logical clock (a sequence) bumped by every stored event.
_INITIAL = """
CREATE SEQUENCE roomkit_activity_clock;

CREATE TABLE rooms (
    id text PRIMARY KEY,
    seq bigserial NOT NULL,
    status text NOT NULL,
    organization_id text,
    created_at timestamptz NOT NULL,
    last_activity_at timestamptz NOT NULL,
    next_index bigint NOT NULL DEFAULT 0,
    activity bigint NOT NULL DEFAULT 0,
    data jsonb NOT NULL
);
CREATE INDEX rooms_by_created ON rooms (created_at, seq);
CREATE INDEX rooms_by_org ON rooms (organization_id, created_at, seq);
CREATE INDEX rooms_by_activity ON rooms (status, activity DESC);

CREATE TABLE events (
    id text PRIMARY KEY,
    room_id text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    idx bigint NOT NULL,
    idempotency_key text,
    data jsonb NOT NULL,
    CONSTRAINT events_room_index UNIQUE (room_id, idx),
    CONSTRAINT events_room_idempotency UNIQUE (room_id, idempotency_key)
);

CREATE TABLE bindings (
    room_id text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    channel_id text NOT NULL,
    seq bigserial NOT NULL,
    participant_id text,
    data jsonb NOT NULL,
    PRIMARY KEY (room_id, channel_id)
);
CREATE INDEX bindings_by_channel ON bindings (channel_id);

CREATE TABLE participants (
    room_id text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    id text NOT NULL,
    seq bigserial NOT NULL,
    data jsonb NOT NULL,
    PRIMARY KEY (room_id, id)
);

CREATE TABLE senders (
    channel_id text NOT NULL,
    participant_id text NOT NULL,
    room_id text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, participant_id, room_id)
);
CREATE INDEX senders_by_room ON senders (room_id);

CREATE TABLE identities (
    id text PRIMARY KEY,
    data jsonb NOT NULL
);
CREATE TABLE identity_addresses (
    channel_type text NOT NULL,
    address text NOT NULL,
    identity_id text NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    PRIMARY KEY (channel_type, address)
);

CREATE TABLE tasks (
    id text PRIMARY KEY,
    room_id text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq bigserial NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX tasks_by_room ON tasks (room_id, created_at, seq);

CREATE TABLE observations (
    id text PRIMARY KEY,
    room_id text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq bigserial NOT NULL,
    created_at timestamptz NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX observations_by_room ON observations (room_id, created_at, seq);
"""

# Ephemeral events too large for a NOTIFY payload (8000 bytes) are parked here for a moment.
_REALTIME_SPILL = """
CREATE TABLE realtime_payloads (
    id text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    data text NOT NULL
);
CREATE INDEX realtime_payloads_by_age ON realtime_payloads (created_at);
"""

# Models kept as the exact JSON text written (``jsonb`` turns 1e16 into an integer and reorders
# keys, so metadata read back differed from what was stored); read markers; participants and
# bindings listed in joining order through an index, whatever the size of the room.
_JSON_TEXT_AND_READ_STATE = """
ALTER TABLE rooms ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE events ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE bindings ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE participants ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE identities ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE tasks ALTER COLUMN data TYPE json USING data::json;
ALTER TABLE observations ALTER COLUMN data TYPE json USING data::json;

CREATE TABLE read_markers (
    room_id text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    channel_id text NOT NULL,
    last_read_index bigint NOT NULL,
    PRIMARY KEY (room_id, channel_id)
);
CREATE INDEX participants_by_seq ON participants (room_id, seq);
CREATE INDEX bindings_by_seq ON bindings (room_id, seq);
"""

# The greatest fencing token an event of the room was written with (see roomkit.store.fencing).
_ROOM_FENCE = """
ALTER TABLE rooms ADD COLUMN fence bigint NOT NULL DEFAULT 0;
"""

# How many times an event of the room was changed after it was stored (update_event): a process
# that keeps a room's newest events (roomkit_postgres._recent) reads them all again when it moved.
_ROOM_EDITS = """
ALTER TABLE rooms ADD COLUMN edits bigint NOT NULL DEFAULT 0;
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _INITIAL),
    Migration(2, "realtime payload spill table", _REALTIME_SPILL),
    Migration(
        3, "models as json text, read markers, membership indexes", _JSON_TEXT_AND_READ_STATE
    ),
    Migration(4, "fencing token per room", _ROOM_FENCE),
    Migration(5, "event edit counter per room", _ROOM_EDITS),
)

_LEDGER = """
CREATE TABLE IF NOT EXISTS roomkit_schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def quote_schema(schema: str) -> str:
    """Validate a schema name (lower-case identifier) and return it quoted for SQL."""
    if not _SCHEMA_NAME.match(schema):
        raise ConfigurationError(
            f"schema {schema!r} must be a lower-case SQL identifier (letters, digits, '_', "
            "at most 63 characters, not starting with a digit)"
        )
    return f'"{schema}"'


def _lock_key(schema: str) -> int:
    digest = hashlib.blake2b(f"roomkit-migrate:{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def applied_versions(conn: asyncpg.Connection, schema: str) -> dict[int, str]:
    """Versions already applied in ``schema`` with their checksums (empty when none)."""
    quoted = quote_schema(schema)
    exists = await conn.fetchval(
        "SELECT to_regclass($1) IS NOT NULL", f"{quoted}.roomkit_schema_migrations"
    )
    if not exists:
        return {}
    rows = await conn.fetch(f"SELECT version, checksum FROM {quoted}.roomkit_schema_migrations")
    return {int(r["version"]): str(r["checksum"]) for r in rows}


async def apply_migrations(conn: asyncpg.Connection, schema: str = "public") -> list[int]:
    """Create ``schema`` if needed and apply pending migrations; returns the versions applied.

    Safe to run from several processes at once and any number of times.
    """
    quoted = quote_schema(schema)
    applied: list[int] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key(schema))
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
        await conn.execute(f"SET LOCAL search_path TO {quoted}")
        await conn.execute(_LEDGER)
        done = await applied_versions(conn, schema)
        known = {m.version for m in MIGRATIONS}
        newer = sorted(v for v in done if v not in known)
        if newer:
            raise StoreError(
                f"schema {schema!r} has migrations {newer} that this roomkit-postgres does not "
                "know; upgrade roomkit-postgres"
            )
        for migration in MIGRATIONS:
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    raise StoreError(
                        f"migration {migration.version} ({migration.name}) in schema {schema!r} "
                        "was applied from different SQL; the schema is not one this release made"
                    )
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO roomkit_schema_migrations (version, name, checksum)"
                " VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
            applied.append(migration.version)
    return applied
