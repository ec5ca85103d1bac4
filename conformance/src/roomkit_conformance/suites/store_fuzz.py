"""Property-based fuzzing of a conversation store's input handling (hypothesis).

Every store gets the same treatment: the same strategies, a fixed seed and a bounded number
of examples. Each example writes a room, events, a participant, a task and an observation
built from hostile values (NUL characters, lone surrogates, NaN, bytes, tuples, sets, huge
integers, deep nesting, hook-style ``model_copy`` updates that skip validation) and reads
with hostile keys and page bounds. Three things must hold:

* **no escape**: every call returns normally or raises a :class:`~roomkit.errors.RoomKitError`
  (never ``UnicodeEncodeError``, ``OverflowError``, a pydantic error or a driver error);
* **faithful**: what a write accepted reads back equal, with the same types;
* **never poisoned**: afterwards every read of the room still works.

:func:`fuzz_problems` checks one example and returns what went wrong; the suite's test asserts
it returns nothing. Hypothesis runs in a worker thread and hands each store call to the test's
event loop, so stores bound to that loop (connection pools, executors) are used as they are.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from roomkit.errors import RoomKitError
from roomkit.models.content import TextContent
from roomkit.models.enums import ChannelType
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.participant import Participant
from roomkit.models.room import Room
from roomkit.models.task import Observation, Task
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase

# A text without a body, as model_construct (or a hook) can make one.
_BODYLESS = TextContent.model_construct(body=None)  # type: ignore[arg-type]

__all__ = [
    "FUZZ_EXAMPLES",
    "FUZZ_SEED",
    "FuzzCase",
    "StoreFuzzChecks",
    "fuzz_cases",
    "fuzz_problems",
]

T = TypeVar("T")

FUZZ_SEED = 20_260_116
FUZZ_EXAMPLES = 60

_ODD_CHARS = ["\x00", "\ud800", "\udfff", "\u2028", "é", "🙂", "'", '"', "\\", "%", "_"]
_text = st.text(
    alphabet=st.one_of(st.characters(codec=None), st.sampled_from(_ODD_CHARS)), max_size=12
)
_huge = st.sampled_from([2**63, -(2**63) - 1, 2**64, 2**70, 10**30, -(10**30)])
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    _huge,
    st.floats(allow_nan=True, allow_infinity=True),
    _text,
    st.binary(max_size=4),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.frozensets(st.integers(0, 5), max_size=2),
        st.dictionaries(_text, inner, max_size=3),
        st.dictionaries(st.integers(0, 3), inner, min_size=1, max_size=1),
    ),
    max_leaves=8,
)


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = {"x": value}
    return value


_metadata = st.one_of(
    st.dictionaries(_text, _values, max_size=4),
    st.builds(lambda d: {"deep": _nested(d)}, st.sampled_from([10, 300])),
)
_page = st.one_of(st.integers(-3, 60), _huge, st.sampled_from([2**63 - 1, -(2**63)]))
# model_copy(update=...) skips validation: what a hook may hand back
_broken_updates = st.sampled_from(
    [
        {},
        {"metadata": None},
        {"chain_depth": -3},
        {"visibility": None},
        {"index": 2**80},
        {"created_at": "yesterday"},
        {"content": _BODYLESS},
        {"metadata": {"when": datetime(2026, 1, 1)}},
    ]
)


@dataclass(frozen=True)
class FuzzCase:
    """One example: hostile values for each write and read."""

    room_id: str | None
    room_metadata: dict[str, Any]
    body: str
    event_metadata: dict[str, Any]
    update: dict[str, Any]
    participant_id: str
    participant_metadata: dict[str, Any]
    task_title: str
    observation_data: dict[str, Any]
    key: str
    offset: Any
    limit: Any


fuzz_cases = st.builds(
    FuzzCase,
    room_id=st.one_of(st.none(), _text),
    room_metadata=_metadata,
    body=_text,
    event_metadata=_metadata,
    update=_broken_updates,
    participant_id=_text,
    participant_metadata=_metadata,
    task_title=_text,
    observation_data=_metadata,
    key=_text,
    offset=_page,
    limit=_page,
)


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1 != 1.0, tuple != list, NaN == NaN)."""
    if isinstance(a, BaseModel) and type(a) is type(b):
        return all(same(getattr(a, f), getattr(b, f)) for f in type(a).model_fields)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return bool(a == b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


class _Probe:
    """Runs store calls and records escapes and unfaithful read-backs."""

    def __init__(self, run: Callable[[Awaitable[Any]], Any]) -> None:
        self._run = run
        self.problems: list[str] = []

    def call(self, what: str, call: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
        try:
            return True, self._run(call())
        except RoomKitError:
            return False, None
        except Exception as exc:  # the point of the probe: anything else is an escape
            self.problems.append(f"{what}: {type(exc).__name__}: {str(exc)[:160]}")
            return False, None

    def read(self, what: str, call: Callable[[], Awaitable[T]]) -> T | None:
        ok, value = self.call(what, call)
        if not ok and not any(p.startswith(what) for p in self.problems):
            self.problems.append(f"{what}: a read failed with a RoomKitError (poisoned)")
        return value

    def faithful(self, what: str, written: Any, loaded: Any) -> None:
        if loaded is None:
            self.problems.append(f"{what}: accepted but not found on read-back")
        elif not same(written, loaded):
            self.problems.append(f"{what}: read back differs: wrote {written!r} got {loaded!r}")


def fuzz_problems(
    store: ConversationStore, case: FuzzCase, run: Callable[[Awaitable[Any]], Any]
) -> list[str]:
    """Drive ``store`` with one example; returns the problems found (empty: all held)."""
    probe = _Probe(run)
    room = Room(metadata=case.room_metadata)
    if case.room_id is not None:
        room = Room(id=case.room_id, metadata=case.room_metadata)
    created, _ = probe.call("create_room", lambda: store.create_room(room))
    if created:
        loaded = probe.read("get_room", lambda: store.get_room(room.id))
        probe.faithful("room metadata", room.metadata, loaded and loaded.metadata)
    else:
        room = Room(metadata={})
        created, _ = probe.call("create_room(plain)", lambda: store.create_room(room))
        if not created:
            return probe.problems
    room_id = room.id
    source = EventSource(channel_id="sms", channel_type=ChannelType.SMS, participant_id="u1")
    event = RoomEvent(
        room_id=room_id,
        source=source,
        content=TextContent(body=case.body),
        metadata=case.event_metadata,
        idempotency_key=case.key or None,
    )
    added, stored = probe.call("add_event", lambda: store.add_event(event))
    if added and stored is not None and stored.id == event.id:
        loaded_event = probe.read("get_event", lambda: store.get_event(event.id))
        probe.faithful("event body", event.content, loaded_event and loaded_event.content)
        probe.faithful("event metadata", event.metadata, loaded_event and loaded_event.metadata)
    hooked = RoomEvent(room_id=room_id, source=source, content=TextContent(body="hooked"))
    hooked = hooked.model_copy(update=case.update)
    probe.call("add_event(model_copy)", lambda: store.add_event(hooked))
    member = Participant(
        id=case.participant_id,
        room_id=room_id,
        channel_id="sms",
        metadata=case.participant_metadata,
    )
    if probe.call("add_participant", lambda: store.add_participant(member))[0]:
        found = probe.read("get_participant", lambda: store.get_participant(room_id, member.id))
        probe.faithful("participant metadata", member.metadata, found and found.metadata)
    task = Task(room_id=room_id, title=case.task_title, metadata=case.event_metadata)
    if probe.call("add_task", lambda: store.add_task(task))[0]:
        loaded_task = probe.read("get_task", lambda: store.get_task(task.id))
        probe.faithful("task", task, loaded_task)
    observation = Observation(room_id=room_id, type="fuzz", data=case.observation_data)
    probe.call("add_observation", lambda: store.add_observation(observation))
    # reads with hostile keys and bounds: a value or a RoomKitError, never anything else
    probe.call("get_room(key)", lambda: store.get_room(case.key))
    probe.call("get_event(key)", lambda: store.get_event(case.key))
    probe.call("get_participant(key)", lambda: store.get_participant(room_id, case.key))
    probe.call("get_binding(key)", lambda: store.get_binding(case.key, case.key))
    probe.call("find_latest_room(key)", lambda: store.find_latest_room(case.key, case.key))
    probe.call("idempotency(key)", lambda: store.get_event_by_idempotency_key(room_id, case.key))
    probe.call(
        "list_events(page)",
        lambda: store.list_events(room_id, offset=case.offset, limit=case.limit),
    )
    probe.call("list_rooms(page)", lambda: store.list_rooms(offset=case.offset, limit=case.limit))
    probe.call("get_recent_events(limit)", lambda: store.get_recent_events(room_id, case.limit))
    probe.call("snapshot(recent)", lambda: store.get_room_snapshot(room_id, recent=case.limit))
    # never poisoned: the room reads whole afterwards
    probe.read("list_events(after)", lambda: store.list_events(room_id, limit=100))
    probe.read("get_room_snapshot(after)", lambda: store.get_room_snapshot(room_id))
    probe.read("list_participants(after)", lambda: store.list_participants(room_id))
    probe.read("list_tasks(after)", lambda: store.list_tasks(room_id))
    probe.read("list_observations(after)", lambda: store.list_observations(room_id))
    probe.read("list_rooms(after)", lambda: store.list_rooms(limit=1000))
    return probe.problems


def run_fuzz(
    store: ConversationStore,
    loop: asyncio.AbstractEventLoop,
    *,
    examples: int = FUZZ_EXAMPLES,
    collect: list[str] | None = None,
) -> None:
    """Run the fuzz examples against ``store`` (call from a thread other than ``loop``'s).

    With ``collect`` every problem of every example is appended to it and nothing fails
    (used to count escapes); without it the first failing example is shrunk and raised.
    """

    def run(coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=120)  # type: ignore[arg-type]

    phases = (Phase.explicit, Phase.generate) if collect is not None else tuple(Phase)

    @seed(FUZZ_SEED)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=fuzz_cases)
    def check(case: FuzzCase) -> None:
        problems = fuzz_problems(store, case, run)
        if collect is not None:
            collect.extend(problems)
        elif problems:
            raise AssertionError("\n".join(problems))

    check()


class StoreFuzzChecks(SuiteBase):
    """The fuzz case of the store suite (fixed seed, bounded examples)."""

    fuzz_examples: int = FUZZ_EXAMPLES

    @pytest.mark.asyncio
    @pytest.mark.timeout(600)
    async def test_hostile_input_never_escapes_or_poisons(
        self, component: ConversationStore
    ) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.to_thread(run_fuzz, component, loop, examples=self.fuzz_examples)
