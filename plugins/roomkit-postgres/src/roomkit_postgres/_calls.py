"""What the store's mixins call on :class:`~roomkit_postgres.store.PostgresStore`.

The connection helpers live on the store; the mixins that split its contract by concept
(records, membership, read state) inherit these declarations so they type-check alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
from pydantic import BaseModel

__all__ = ["StoreCalls"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class StoreCalls:
    """Declarations (for type checking only) of the store's connection helpers."""

    if TYPE_CHECKING:

        async def _run(
            self, what: str, op: Callable[[asyncpg.Connection, bool], Awaitable[T]]
        ) -> T: ...

        async def _one(self, what: str, model: type[M], sql: str, *args: Any) -> M | None: ...

        async def _many(self, what: str, model: type[M], sql: str, *args: Any) -> list[M]: ...

        async def _write(self, what: str, sql: str, *args: Any) -> str: ...

        @staticmethod
        async def _require_room(conn: asyncpg.Connection, room_id: str) -> None: ...
