"""Configuration models used when the components are created by name.

``RoomKit(store="postgres", store_config={"dsn": "postgresql://...", "schema": "roomkit"})``
validates ``store_config`` with :class:`PostgresStoreConfig`; the component is then built with
``PostgresStore.from_config(config)``. The DSN is a ``SecretStr`` so that it never shows up in
reprs or logs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

__all__ = ["PostgresLockManagerConfig", "PostgresRealtimeConfig", "PostgresStoreConfig"]

_DSN = SecretStr("postgresql://postgres@127.0.0.1:5432/postgres")
_SCHEMA = r"^[a-z_][a-z0-9_]{0,62}$"


class PostgresStoreConfig(BaseModel):
    """Options of :class:`~roomkit_postgres.store.PostgresStore`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    dsn: SecretStr = Field(default=_DSN, description="libpq connection URL")
    db_schema: str = Field(default="public", alias="schema", pattern=_SCHEMA)
    min_size: int = Field(default=1, ge=0)
    max_size: int = Field(default=10, ge=1)
    command_timeout: float = Field(default=10.0, gt=0)
    connect_timeout: float = Field(default=10.0, gt=0)
    migrate: bool = Field(default=True, description="apply pending migrations on start")
    application_name: str = Field(default="roomkit", min_length=1, max_length=63)
    synchronous_commit: bool = Field(
        default=True, description="wait for the WAL flush on commit (off: faster, less durable)"
    )

    @model_validator(mode="after")
    def _sizes(self) -> PostgresStoreConfig:
        if self.min_size > self.max_size:
            raise ValueError("min_size must not exceed max_size")
        return self


class PostgresLockManagerConfig(BaseModel):
    """Options of :class:`~roomkit_postgres.locks.PostgresLockManager`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    dsn: SecretStr = Field(default=_DSN, description="libpq connection URL")
    namespace: str = Field(default="roomkit", min_length=1)
    db_schema: str = Field(
        default="public",
        alias="schema",
        pattern=_SCHEMA,
        description="schema of the fencing-token sequence roomkit_lock_fence",
    )
    min_size: int = Field(default=1, ge=0)
    max_size: int = Field(default=20, ge=1)
    connect_timeout: float = Field(default=5.0, gt=0, description="seconds to open a connection")
    command_timeout: float = Field(
        default=5.0, gt=0, description="seconds to give a lock back or check it"
    )
    default_timeout: float = Field(
        default=300.0, gt=0, description="seconds to wait for a busy room when no timeout is given"
    )


class PostgresRealtimeConfig(BaseModel):
    """Options of :class:`~roomkit_postgres.realtime.PostgresRealtime`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    dsn: SecretStr = Field(default=_DSN, description="libpq connection URL")
    db_schema: str = Field(default="public", alias="schema", pattern=_SCHEMA)
    namespace: str = Field(default="roomkit", min_length=1)
    max_queue: int = Field(default=1000, ge=1)
    max_event_bytes: int = Field(default=1_000_000, ge=1)
    connect_timeout: float = Field(default=10.0, gt=0)
    command_timeout: float = Field(default=10.0, gt=0)
    migrate: bool = True
