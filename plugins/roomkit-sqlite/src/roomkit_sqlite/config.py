"""Configuration accepted by ``SQLiteStore`` when it is created by name."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SQLiteStoreConfig"]


class SQLiteStoreConfig(BaseModel):
    """``RoomKit(store="sqlite", store_config={"path": "/var/lib/roomkit/rooms.db"})``."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(
        default="roomkit.db",
        min_length=1,
        description=(
            "database file, created with its schema when missing; default roomkit.db in the "
            "current directory; ':memory:' for tests"
        ),
    )
    busy_timeout: float = Field(
        default=5.0, gt=0, description="seconds a write waits for another process's write lock"
    )
    synchronous: Literal["NORMAL", "FULL"] = Field(
        default="NORMAL",
        description=(
            "NORMAL: a write survives a crash of the process, the last ones may be lost on a "
            "power loss; FULL: an fsync per write, survives that too"
        ),
    )
