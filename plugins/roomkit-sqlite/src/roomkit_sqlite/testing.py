"""Test fixtures for ``roomkit conformance`` and for this plugin's own tests.

The descriptor's ``conformance`` reference points at :class:`StoreFixtures`; the runner mixes
it into the store suite. Each test gets a fresh database file in a temporary folder.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from roomkit_sqlite.store import SQLiteStore

__all__ = ["StoreFixtures"]


class StoreFixtures:
    """``component`` / ``second_component`` (two connections to one file) for the store suite."""

    @pytest.fixture
    def database_file(self) -> Iterator[Path]:
        """A database path in a temporary folder, removed afterwards."""
        with tempfile.TemporaryDirectory(prefix="roomkit-sqlite-") as folder:
            yield Path(folder) / "rooms.db"

    @pytest_asyncio.fixture
    async def component(self, database_file: Path) -> AsyncIterator[SQLiteStore]:
        store = SQLiteStore(database_file)
        yield store
        await store.close()

    @pytest_asyncio.fixture
    async def second_component(self, database_file: Path) -> AsyncIterator[SQLiteStore]:
        store = SQLiteStore(database_file)
        yield store
        await store.close()
