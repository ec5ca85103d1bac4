"""Conformance checks of input validation: what every store refuses, the same way.

The rules are on :class:`~roomkit.store.base.ConversationStore` (and in
:mod:`roomkit.store.validation`): a write never stores what a store cannot read back equal,
refusals are :class:`~roomkit.errors.StoreInputError`, and reads by keys nothing can be stored
under answer "missing".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from roomkit.errors import StoreInputError
from roomkit.models.content import TextContent
from roomkit.models.participant import Identity, Participant
from roomkit.models.room import Room
from roomkit.models.task import Observation, Task
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites._store_support import new_event, new_room

# A text without a body, as model_construct (or a hook) can make one.
_BODYLESS = TextContent.model_construct(body=None)  # type: ignore[arg-type]

__all__ = ["UNSTORABLE_METADATA", "StoreInputChecks"]


def _deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"x": value}
    return value


#: Metadata values no store may accept (each would come back changed, or not at all).
UNSTORABLE_METADATA: dict[str, Any] = {
    "nan": {"x": float("nan")},
    "infinity": {"x": float("inf")},
    "bytes": {"x": b"\x01\x02"},
    "tuple": {"x": (1, 2)},
    "set": {"x": {1, 2}},
    "int beyond 64 bits": {"x": 2**63},
    "non-str key": {"x": {1: "one"}},
    "NUL in a key": {"k\x00": 1},
    "NUL in a value": {"k": "a\x00b"},
    "lone surrogate": {"k": "\ud800"},
    "object": {"x": object()},
    "too deep": _deep(100),
}

_FAITHFUL = {
    "zeta": 1,
    "alpha": [1, 2.5, "three", None, True, False, {"nested": []}],
    "int64": [2**63 - 1, -(2**63)],
    "floats": [1e16, 1.5e-7, 0.1, 1.0, -2.0, 1.7976931348623157e308],
    "text": "héllo ✓ 🙂 \u2028 'quoted' \"double\" \\ %_",
    "empty": {},
    "": "empty key",
}


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


class StoreInputChecks(SuiteBase):
    """Validation on write, the same error everywhere, faithful round trips, safe reads."""

    @pytest.mark.asyncio
    @pytest.mark.parametrize("kind", sorted(UNSTORABLE_METADATA))
    async def test_unstorable_metadata_is_refused_everywhere(
        self, component: ConversationStore, kind: str
    ) -> None:
        bad = UNSTORABLE_METADATA[kind]
        r = await new_room(component)
        writes: dict[str, Callable[[], Awaitable[Any]]] = {
            "create_room": lambda: component.create_room(Room(metadata=bad)),
            "add_event": lambda: component.add_event(new_event(r.id, sender="x", metadata=bad)),
            "add_participant": lambda: component.add_participant(
                Participant(id="p", room_id=r.id, channel_id="c", metadata=bad)
            ),
            "create_identity": lambda: component.create_identity(Identity(metadata=bad)),
            "add_task": lambda: component.add_task(Task(room_id=r.id, title="t", metadata=bad)),
            "add_observation": lambda: component.add_observation(
                Observation(room_id=r.id, type="t", data=bad)
            ),
        }
        for name, write in writes.items():
            with pytest.raises(StoreInputError):
                await write()
            assert name  # each write refused (pytest.raises names the one that was not)
        assert [x.id for x in await component.list_rooms()] == [r.id]
        assert await component.count_events(r.id) == 0
        assert await component.list_participants(r.id) == []
        assert await component.list_tasks(r.id) == []
        assert await component.list_observations(r.id) == []
        assert (await component.add_event(new_event(r.id))).index == 0  # no index was used

    @pytest.mark.asyncio
    async def test_json_metadata_reads_back_the_same(self, component: ConversationStore) -> None:
        r = await new_room(component, metadata=_FAITHFUL)
        loaded = await component.get_room(r.id)
        assert loaded is not None
        assert _same(loaded.metadata, _FAITHFUL)
        stored = await component.add_event(new_event(r.id, metadata=_FAITHFUL))
        loaded_event = await component.get_event(stored.id)
        assert loaded_event is not None
        assert _same(loaded_event.metadata, _FAITHFUL)
        recent = await component.get_recent_events(r.id, 1)
        assert _same(recent[0].metadata, _FAITHFUL)
        task = await component.add_task(Task(room_id=r.id, title="t", metadata=_FAITHFUL))
        loaded_task = await component.get_task(task.id)
        assert loaded_task is not None
        assert _same(loaded_task.metadata, _FAITHFUL)

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "update",
        [
            {"metadata": None},
            {"chain_depth": -3},
            {"visibility": None},
            {"created_at": "2026-01-01T00:00:00"},
            {"content": _BODYLESS},
        ],
        ids=["metadata-none", "negative-depth", "visibility-none", "str-date", "bad-content"],
    )
    async def test_a_store_never_holds_what_it_cannot_read_back(
        self, component: ConversationStore, update: dict[str, Any]
    ) -> None:
        r = await new_room(component)
        good = await component.add_event(new_event(r.id, "kept"))
        broken = new_event(r.id, "hooked").model_copy(update=update)  # a hook's unvalidated copy
        with pytest.raises(StoreInputError):
            await component.add_event(broken)
        with pytest.raises(StoreInputError):
            await component.update_event(good.model_copy(update=update))
        listed = await component.list_events(r.id)
        assert [e.id for e in listed] == [good.id]
        assert listed[0].content == TextContent(body="kept")
        snapshot = await component.get_room_snapshot(r.id)
        assert snapshot is not None
        assert [e.id for e in snapshot.recent_events] == [good.id]
        assert (await component.add_event(new_event(r.id))).index == 1

    @pytest.mark.asyncio
    @pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud83d surrogate"], ids=["nul", "surr"])
    async def test_unstorable_text_is_refused(
        self, component: ConversationStore, text: str
    ) -> None:
        r = await new_room(component)
        with pytest.raises(StoreInputError):
            await component.add_event(new_event(r.id, text))
        with pytest.raises(StoreInputError):
            await component.create_room(Room(id=text))
        with pytest.raises(StoreInputError):
            await component.add_participant(Participant(id=text, room_id=r.id, channel_id="c"))
        assert await component.count_events(r.id) == 0
        assert await component.list_participants(r.id) == []

    @pytest.mark.asyncio
    async def test_a_rejected_inbound_event_leaves_no_participant(
        self, component: ConversationStore
    ) -> None:
        r = await new_room(component)
        with pytest.raises(StoreInputError):
            await component.add_event(
                new_event(r.id, sender="newcomer", metadata={"x": float("nan")})
            )
        assert await component.get_participant(r.id, "newcomer") is None
        assert await component.list_participants(r.id) == []
        assert await component.find_latest_room("sms-1", "newcomer", status=None) is None

    @pytest.mark.asyncio
    @pytest.mark.parametrize("key", ["\x00", "a\x00b", "\ud800", "x\udfffy"])
    async def test_reads_by_unstorable_keys_answer_missing(
        self, component: ConversationStore, key: str
    ) -> None:
        r = await new_room(component)
        assert await component.get_room(key) is None
        assert await component.get_event(key) is None
        assert await component.get_task(key) is None
        assert await component.get_identity(key) is None
        assert await component.resolve_identity("sms", key) is None
        assert await component.get_participant(r.id, key) is None
        assert await component.get_binding(r.id, key) is None
        assert await component.get_binding(key, "sms") is None
        assert await component.get_event_by_idempotency_key(r.id, key) is None
        assert await component.find_latest_room(key) is None
        assert await component.find_latest_room("sms-1", key) is None
        assert await component.list_events(key) == []
        assert await component.get_recent_events(key) == []
        assert await component.list_participants(key) == []
        assert await component.list_bindings(key) == []
        assert await component.list_tasks(key) == []
        assert await component.list_observations(key) == []
        assert await component.count_events(key) == 0
        assert await component.get_unread_count(key, "ws") == 0
        assert await component.get_room_snapshot(key) is None
        assert await component.delete_room(key) is False
        assert await component.remove_binding(r.id, key) is False

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "bounds",
        [
            {"limit": 2**63},
            {"offset": 2**63},
            {"limit": -1},
            {"offset": -1},
            {"limit": "10"},
            {"limit": 1.5},
            {"limit": True},
        ],
        ids=["limit-2**63", "offset-2**63", "limit-neg", "offset-neg", "str", "float", "bool"],
    )
    async def test_page_bounds_out_of_range_are_refused(
        self, component: ConversationStore, bounds: dict[str, Any]
    ) -> None:
        r = await new_room(component)
        with pytest.raises(StoreInputError):
            await component.list_events(r.id, **bounds)
        with pytest.raises(StoreInputError):
            await component.list_rooms(**bounds)
        with pytest.raises(StoreInputError):
            await component.find_rooms(**bounds)
        if "limit" in bounds:
            with pytest.raises(StoreInputError):
                await component.get_recent_events(r.id, bounds["limit"])

    @pytest.mark.asyncio
    async def test_the_largest_bounds_are_accepted(self, component: ConversationStore) -> None:
        r = await new_room(component)
        await component.add_event(new_event(r.id))
        biggest = 2**63 - 1
        assert len(await component.list_events(r.id, limit=biggest)) == 1
        assert await component.list_events(r.id, offset=biggest) == []
        assert len(await component.list_events(r.id, after_index=-(2**63))) == 1
        assert len(await component.list_events(r.id, before_index=biggest)) == 1
        assert len(await component.get_recent_events(r.id, biggest)) == 1
        assert len(await component.list_rooms(limit=biggest)) == 1
        snapshot = await component.get_room_snapshot(r.id, recent=biggest)
        assert snapshot is not None
        assert len(snapshot.recent_events) == 1
        with pytest.raises(StoreInputError):
            await component.list_events(r.id, after_index=2**63)
