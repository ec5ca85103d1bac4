"""Turn a descriptor's conformance factory into a ready component, and clean it up after.

A conformance factory (``ComponentDescriptor.conformance``) is a zero-argument callable that
returns one of:

* the component itself (sync function) -- closed afterwards with its ``close()`` /
  ``aclose()`` if it has one;
* an awaitable of the component (async function) -- closed the same way;
* an async generator yielding the component once -- resumed to finish after the test;
* an async context manager (e.g. an ``@asynccontextmanager`` function's result) whose
  ``__aenter__`` returns the component.
* a sync generator yielding the component once.

A factory that accepts a ``peer`` keyword can also build a second instance sharing the first
one's backing data (database, file, server) for the suites' cross-process checks.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from roomkit.plugins.descriptors import load_ref

__all__ = ["accepts_peer", "open_component"]


async def _close(component: Any) -> None:
    for name in ("aclose", "close"):
        method = getattr(component, name, None)
        if callable(method):
            result = method()
            if inspect.isawaitable(result):
                await result
            return


def accepts_peer(ref: str) -> bool:
    """Whether the factory ``ref`` takes a ``peer`` argument (can build a second instance)."""
    factory = load_ref(ref)
    try:
        return "peer" in inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False


@asynccontextmanager
async def open_component(ref: str, **kwargs: Any) -> AsyncIterator[Any]:
    """Build the component from the conformance factory ``ref`` and dispose of it after.

    ``kwargs`` are passed to the factory: the runner passes ``peer=<first instance>`` to build
    the ``second_component`` of cross-process suites (same backing data, own connection).
    """
    factory = load_ref(ref)
    if not callable(factory):
        raise TypeError(f"conformance factory {ref!r} is not callable")
    produced = factory(**kwargs)
    if inspect.isasyncgen(produced):
        component = await produced.__anext__()
        try:
            yield component
        finally:
            try:
                await produced.__anext__()
            except StopAsyncIteration:
                pass
            else:
                await produced.aclose()
                raise RuntimeError(f"conformance factory {ref!r} yielded more than once")
        return
    if inspect.isgenerator(produced):
        component = next(produced)
        try:
            yield component
        finally:
            try:
                next(produced)
            except StopIteration:
                pass
            else:
                produced.close()
                raise RuntimeError(f"conformance factory {ref!r} yielded more than once")
        return
    if inspect.isawaitable(produced):
        produced = await produced
    if hasattr(produced, "__aenter__") and hasattr(produced, "__aexit__"):
        async with produced as component:
            yield component
        return
    try:
        yield produced
    finally:
        await _close(produced)
