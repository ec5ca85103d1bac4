"""The store fuzz case finds what it is there to find: escapes, changed read-backs, poisoning."""

from __future__ import annotations

import asyncio
from typing import Any

from roomkit.models.event import RoomEvent
from roomkit.models.room import Room
from roomkit.store.memory import InMemoryStore
from roomkit_conformance.suites.store_fuzz import FuzzCase, fuzz_problems, run_fuzz


def _case(**changes: Any) -> FuzzCase:
    values: dict[str, Any] = {
        "room_id": None,
        "room_metadata": {},
        "body": "hi",
        "event_metadata": {},
        "update": {},
        "participant_id": "p",
        "participant_metadata": {},
        "task_title": "t",
        "observation_data": {},
        "key": "",
        "offset": 0,
        "limit": 10,
    }
    values.update(changes)
    return FuzzCase(**values)


def _problems(store: InMemoryStore, case: FuzzCase) -> list[str]:
    loop = asyncio.new_event_loop()
    try:
        return fuzz_problems(store, case, loop.run_until_complete)
    finally:
        loop.close()


class _RawErrors(InMemoryStore):
    async def get_room(self, room_id: str) -> Room | None:
        if "\x00" in room_id:
            raise UnicodeEncodeError("utf-8", room_id, 0, 1, "no NUL here")
        return await super().get_room(room_id)


class _ChangesMetadata(InMemoryStore):
    async def get_event(self, event_id: str) -> RoomEvent | None:
        event = await super().get_event(event_id)
        if event is None:
            return None
        return event.model_copy(update={"metadata": {k: str(v) for k, v in event.metadata.items()}})


class _Poisoned(InMemoryStore):
    async def list_tasks(self, room_id: str, status: Any = None) -> Any:
        raise ValueError("cannot read a stored task back")


def test_a_sound_store_has_no_problems() -> None:
    assert _problems(InMemoryStore(), _case(event_metadata={"n": 1}, key="\x00")) == []


def test_an_escaping_error_is_reported() -> None:
    problems = _problems(_RawErrors(), _case(key="a\x00"))
    assert any(p.startswith("get_room(key): UnicodeEncodeError") for p in problems)


def test_a_changed_read_back_is_reported() -> None:
    problems = _problems(_ChangesMetadata(), _case(event_metadata={"n": 1}))
    assert any(p.startswith("event metadata: read back differs") for p in problems)


def test_a_room_that_no_longer_reads_is_reported() -> None:
    problems = _problems(_Poisoned(), _case())
    assert any(p.startswith("list_tasks(after): ValueError") for p in problems)


def test_the_seeded_run_collects_instead_of_failing() -> None:
    async def run() -> list[str]:
        found: list[str] = []
        loop = asyncio.get_running_loop()
        await asyncio.to_thread(run_fuzz, _ChangesMetadata(), loop, examples=20, collect=found)
        return found

    found = asyncio.run(run())
    assert found
    assert all(": " in problem for problem in found)
