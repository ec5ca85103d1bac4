"""The kernel's built-in store, lock manager and realtime backend pass the shared suites."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from roomkit.core.locks import InMemoryLockManager
from roomkit.realtime.memory import InMemoryRealtime
from roomkit.store.memory import InMemoryStore
from roomkit_conformance.suites.lock_manager import RoomLockManagerSuite
from roomkit_conformance.suites.realtime import RealtimeBackendSuite
from roomkit_conformance.suites.store import ConversationStoreSuite


class TestInMemoryStore(ConversationStoreSuite):
    capabilities = frozenset({"single_read"})

    @pytest.fixture
    async def component(self) -> AsyncIterator[InMemoryStore]:
        store = InMemoryStore()
        yield store
        await store.close()


class TestInMemoryLockManager(RoomLockManagerSuite):
    @pytest.fixture
    async def component(self) -> AsyncIterator[InMemoryLockManager]:
        manager = InMemoryLockManager()
        yield manager
        await manager.close()


class TestInMemoryRealtime(RealtimeBackendSuite):
    @pytest.fixture
    async def component(self) -> AsyncIterator[InMemoryRealtime]:
        backend = InMemoryRealtime()
        yield backend
        await backend.close()
