"""Without ``path`` the store creates ``roomkit.db`` in the current directory, and says so."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from roomkit_sqlite.config import SQLiteStoreConfig
from roomkit_sqlite.store import DEFAULT_PATH, SQLiteStore

from roomkit.models.room import Room


@pytest.mark.asyncio
async def test_default_file_is_logged_with_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    store = SQLiteStore()
    with caplog.at_level(logging.INFO, logger="roomkit_sqlite"):
        await store.create_room(Room(id="r1"))
    await store.close()
    assert (tmp_path / DEFAULT_PATH).exists()
    (message,) = [r.getMessage() for r in caplog.records if r.name == "roomkit_sqlite"]
    assert str(tmp_path / DEFAULT_PATH) in message
    assert "the default path" in message
    caplog.clear()
    reopened = SQLiteStore()
    with caplog.at_level(logging.INFO, logger="roomkit_sqlite"):
        assert await reopened.get_room("r1") is not None
    await reopened.close()
    assert not [r for r in caplog.records if r.name == "roomkit_sqlite"]  # existed: no news


def test_config_documents_the_default() -> None:
    field = SQLiteStoreConfig.model_fields["path"]
    assert field.default == DEFAULT_PATH
    assert "default roomkit.db in the current directory" in (field.description or "")
