"""The SQLite schema, created on open; ``PRAGMA user_version`` records which version a file has."""

from __future__ import annotations

import sqlite3

from roomkit.errors import StoreError

__all__ = ["SCHEMA_VERSION", "apply_schema"]

SCHEMA_VERSION = 4

# Models are stored whole as JSON in ``data``; the other columns exist to be indexed or filtered.
# ``rooms.activity`` orders rooms by their latest event (most recent = highest; see _V3).
# Times are integer microseconds since the epoch (UTC) so that they sort numerically.
_V1 = """
CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    organization_id TEXT,
    created_us INTEGER NOT NULL,
    last_activity_us INTEGER NOT NULL,
    next_index INTEGER NOT NULL DEFAULT 0,
    activity INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
);
CREATE INDEX rooms_by_created ON rooms (created_us);
CREATE INDEX rooms_by_activity ON rooms (status, activity DESC);

CREATE TABLE activity_clock (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
INSERT INTO activity_clock (id, value) VALUES (1, 0);
CREATE INDEX rooms_by_org ON rooms (organization_id, created_us);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    idempotency_key TEXT,
    data TEXT NOT NULL,
    UNIQUE (room_id, idx),
    UNIQUE (room_id, idempotency_key)
);

CREATE TABLE bindings (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL,
    participant_id TEXT,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (room_id, channel_id)
);
CREATE INDEX bindings_by_channel ON bindings (channel_id);

CREATE TABLE participants (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (room_id, id)
);

-- who wrote (or joined) through which channel in which room: find_latest_room's index
CREATE TABLE senders (
    channel_id TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, participant_id, room_id)
) WITHOUT ROWID;
CREATE INDEX senders_by_room ON senders (room_id);

CREATE TABLE identities (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE identity_addresses (
    channel_type TEXT NOT NULL,
    address TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    PRIMARY KEY (channel_type, address)
);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX tasks_by_room ON tasks (room_id, created_us);

CREATE TABLE observations (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    created_us INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX observations_by_room ON observations (room_id, created_us);
"""

# Version 2: read markers per (room, channel); participants and bindings listed (and the next
# joining position found) through an index, whatever the size of the room.
_V2 = """
CREATE TABLE read_markers (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL,
    last_read_index INTEGER NOT NULL,
    PRIMARY KEY (room_id, channel_id)
) WITHOUT ROWID;
CREATE INDEX participants_by_seq ON participants (room_id, seq);
CREATE INDEX bindings_by_seq ON bindings (room_id, seq);
"""

# Version 3: a room's ``activity`` is the rowid of its newest event instead of a value of the
# ``activity_clock`` row, which every stored event had to bump (one statement and one page
# written per event). Rowids only grow in insertion order among the events that exist (a new
# one is the largest + 1; events are deleted only with their room), so ordering rooms by it is
# ordering them by their latest event, as the clock did; the migration sets every room's
# activity from its newest event, which keeps the order the clock gave.
_V3 = """
UPDATE rooms SET activity = coalesce(
    (SELECT e.rowid FROM events e WHERE e.room_id = rooms.id ORDER BY e.idx DESC LIMIT 1), 0
);
DROP TABLE activity_clock;
"""

# Version 4: idempotency keys are unique per room through a partial index holding only the
# events that have a key, instead of a UNIQUE constraint indexing every event: most events
# have none, and each entry of that index was one more page written per stored event. The
# events table is rebuilt without the constraint (SQLite cannot drop one in place), keeping
# every row and its rowid (rooms' ``activity`` refers to them).
_V4 = """
CREATE TABLE events_v4 (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    idempotency_key TEXT,
    data TEXT NOT NULL,
    UNIQUE (room_id, idx)
);
INSERT INTO events_v4 (rowid, id, room_id, idx, idempotency_key, data)
    SELECT rowid, id, room_id, idx, idempotency_key, data FROM events;
DROP TABLE events;
ALTER TABLE events_v4 RENAME TO events;
CREATE UNIQUE INDEX events_by_key ON events (room_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
"""

_MIGRATIONS: dict[int, str] = {1: _V1, 2: _V2, 3: _V3, 4: _V4}


def apply_schema(conn: sqlite3.Connection) -> int:
    """Bring the file up to :data:`SCHEMA_VERSION`; returns the version found before."""
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the database was written by a newer roomkit-sqlite (schema {found}, this "
            f"version knows {SCHEMA_VERSION}); upgrade roomkit-sqlite"
        )
    if found == SCHEMA_VERSION:
        return found
    conn.execute("BEGIN IMMEDIATE")  # another process opening the file waits here
    try:
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return found
