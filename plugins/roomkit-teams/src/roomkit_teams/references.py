"""Where a Teams bot keeps conversation references: what it needs to write into a
conversation later (proactively), long after the activity that introduced it.

A reference is the JSON form of botbuilder's ``ConversationReference`` (``serviceUrl``,
``conversation``, ``bot``, ``user``, ``channelId``, ``activityId``, ``locale``), keyed by the
Teams conversation id. :class:`ConversationReferenceStore` is RoomKit 0.6.7's contract;
:class:`InMemoryConversationReferenceStore` keeps them in the process (bounded), and
:class:`SQLiteConversationReferenceStore` in a SQLite file, so they survive restarts and are
shared by the processes of one host.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from pathlib import Path
from typing import Any

from roomkit.errors import ConfigurationError

__all__ = [
    "ConversationReferenceStore",
    "InMemoryConversationReferenceStore",
    "SQLiteConversationReferenceStore",
]


class ConversationReferenceStore(ABC):
    """Conversation references by Teams conversation id."""

    @abstractmethod
    async def save(self, conversation_id: str, reference: dict[str, Any]) -> None:
        """Keep ``reference`` for ``conversation_id`` (replacing an older one)."""

    @abstractmethod
    async def get(self, conversation_id: str) -> dict[str, Any] | None:
        """The reference of ``conversation_id``, or ``None``."""

    @abstractmethod
    async def delete(self, conversation_id: str) -> None:
        """Forget ``conversation_id`` (nothing happens when it is unknown)."""

    @abstractmethod
    async def list_all(self) -> dict[str, dict[str, Any]]:
        """Every reference, by conversation id."""


class InMemoryConversationReferenceStore(ConversationReferenceStore):
    """References in this process, at most ``max_entries`` (the least recently saved or
    read are forgotten first)."""

    def __init__(self, max_entries: int = 100_000) -> None:
        if max_entries < 1:
            raise ConfigurationError("max_entries must be at least 1")
        self._max = max_entries
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()

    async def save(self, conversation_id: str, reference: dict[str, Any]) -> None:
        self._items[conversation_id] = json.loads(json.dumps(reference))
        self._items.move_to_end(conversation_id)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    async def get(self, conversation_id: str) -> dict[str, Any] | None:
        found = self._items.get(conversation_id)
        if found is None:
            return None
        self._items.move_to_end(conversation_id)
        copy: dict[str, Any] = json.loads(json.dumps(found))
        return copy

    async def delete(self, conversation_id: str) -> None:
        self._items.pop(conversation_id, None)

    async def list_all(self) -> dict[str, dict[str, Any]]:
        return {key: json.loads(json.dumps(value)) for key, value in self._items.items()}


class SQLiteConversationReferenceStore(ConversationReferenceStore):
    """References in a SQLite file (one table, ``teams_conversation_references``).

    Calls run in a worker thread, never on the event loop; the file is opened in WAL mode so
    several processes of one host can share it. ``close()`` releases the connection.
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0) -> None:
        self._path = str(path)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(self._path, timeout=self._timeout, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS teams_conversation_references ("
                " conversation_id TEXT PRIMARY KEY, reference TEXT NOT NULL)"
            )
            db.commit()
            self._db = db
        return self._db

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            db = self._connect()
            rows = db.execute(sql, args).fetchall()
            db.commit()
            return rows

    async def _call(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await asyncio.to_thread(self._run, sql, args)

    async def save(self, conversation_id: str, reference: dict[str, Any]) -> None:
        await self._call(
            "INSERT INTO teams_conversation_references (conversation_id, reference) "
            "VALUES (?, ?) ON CONFLICT(conversation_id) "
            "DO UPDATE SET reference = excluded.reference",
            (conversation_id, json.dumps(reference)),
        )

    async def get(self, conversation_id: str) -> dict[str, Any] | None:
        rows = await self._call(
            "SELECT reference FROM teams_conversation_references WHERE conversation_id = ?",
            (conversation_id,),
        )
        if not rows:
            return None
        found: dict[str, Any] = json.loads(rows[0][0])
        return found

    async def delete(self, conversation_id: str) -> None:
        await self._call(
            "DELETE FROM teams_conversation_references WHERE conversation_id = ?",
            (conversation_id,),
        )

    async def list_all(self) -> dict[str, dict[str, Any]]:
        rows = await self._call(
            "SELECT conversation_id, reference FROM teams_conversation_references"
        )
        return {row[0]: json.loads(row[1]) for row in rows}

    async def close(self) -> None:
        """Close the database connection."""

        def _close() -> None:
            with self._lock:
                db, self._db = self._db, None
                if db is not None:
                    db.close()

        await asyncio.to_thread(_close)
