"""compose_tool_handlers: first handler that knows the tool answers."""

from __future__ import annotations

from typing import Any

import pytest

from roomkit.errors import ConfigurationError, RoomKitError
from roomkit.tools import UnknownToolError, compose_tool_handlers


async def weather(name: str, arguments: dict[str, Any]) -> str:
    if name != "weather":
        raise UnknownToolError(name)
    return f"sunny in {arguments['city']}"


async def orders(name: str, arguments: dict[str, Any]) -> str:
    if name != "lookup_order":
        raise UnknownToolError(name)
    return "shipped"


async def broken(name: str, arguments: dict[str, Any]) -> str:
    raise RuntimeError("database down")


async def test_first_handler_that_knows_the_tool_answers() -> None:
    handler = compose_tool_handlers(weather, orders)
    assert await handler("weather", {"city": "Paris"}) == "sunny in Paris"
    assert await handler("lookup_order", {}) == "shipped"


async def test_unknown_everywhere_raises_unknown_tool_error() -> None:
    handler = compose_tool_handlers(weather, orders)
    with pytest.raises(UnknownToolError) as info:
        await handler("launch_rocket", {})
    assert info.value.tool_name == "launch_rocket"
    assert isinstance(info.value, RoomKitError)


async def test_other_errors_are_final_and_stop_the_chain() -> None:
    handler = compose_tool_handlers(broken, weather)
    with pytest.raises(RuntimeError, match="database down"):
        await handler("weather", {"city": "Paris"})


def test_needs_callables() -> None:
    with pytest.raises(ConfigurationError):
        compose_tool_handlers()
    with pytest.raises(ConfigurationError):
        compose_tool_handlers("not a handler")  # type: ignore[arg-type]
