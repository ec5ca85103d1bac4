"""Every factory shape a conformance factory may take is opened and cleaned up."""

from __future__ import annotations

import sys
import types
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from roomkit_conformance.harness import accepts_peer, open_component

EVENTS: list[str] = []


class Thing:
    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True
        EVENTS.append("closed")


def sync_fn() -> Thing:
    return Thing()


async def async_fn() -> Thing:
    return Thing()


async def async_gen() -> AsyncIterator[Thing]:
    EVENTS.append("setup")
    yield Thing()
    EVENTS.append("teardown")


def sync_gen() -> Iterator[Thing]:
    yield Thing()
    EVENTS.append("sync-teardown")


@asynccontextmanager
async def async_cm() -> AsyncIterator[Thing]:
    yield Thing()
    EVENTS.append("cm-exit")


def with_peer(peer: Any = None) -> Thing:
    thing = Thing()
    thing.peer = peer  # type: ignore[attr-defined]
    return thing


@pytest.fixture(autouse=True)
def _module() -> Iterator[None]:
    module = types.ModuleType("harness_factories")
    for name in ("sync_fn", "async_fn", "async_gen", "sync_gen", "async_cm", "with_peer"):
        setattr(module, name, globals()[name])
    module.not_callable = 3  # type: ignore[attr-defined]
    sys.modules["harness_factories"] = module
    EVENTS.clear()
    yield
    del sys.modules["harness_factories"]


@pytest.mark.parametrize(
    ("name", "after"),
    [
        ("sync_fn", ["closed"]),
        ("async_fn", ["closed"]),
        ("async_gen", ["setup", "teardown"]),
        ("sync_gen", ["sync-teardown"]),
        ("async_cm", ["cm-exit"]),
    ],
)
async def test_factory_shapes(name: str, after: list[str]) -> None:
    async with open_component(f"harness_factories:{name}") as thing:
        assert isinstance(thing, Thing)
    assert after == EVENTS


async def test_peer_argument() -> None:
    assert accepts_peer("harness_factories:with_peer")
    assert not accepts_peer("harness_factories:sync_fn")
    async with open_component("harness_factories:with_peer", peer="first") as thing:
        assert thing.peer == "first"


async def test_not_callable() -> None:
    with pytest.raises(TypeError, match="not callable"):
        async with open_component("harness_factories:not_callable"):
            pass
