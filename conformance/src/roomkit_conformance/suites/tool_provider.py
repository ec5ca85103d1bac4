"""The tool-provider conformance suite.

The contract a ``tool_provider`` component keeps (the one :class:`roomkit_mcp.MCPToolProvider`
implements):

* ``await component.list_tools()`` returns ``list[AITool]``: non-empty, unique names, and
  ``parameters`` that are a JSON-Schema object (``{"type": "object", ...}``).
* ``component.handler`` is a :data:`~roomkit.tools.compose.ToolHandler`,
  ``async (name, arguments) -> str``, that runs the listed tools and raises
  :class:`~roomkit.tools.compose.UnknownToolError` for any other name, so that
  :func:`~roomkit.tools.compose.compose_tool_handlers` asks the next handler.
* A tool that fails yields an error *result* (a string, e.g. ``{"error": ...}``) or raises a
  :class:`~roomkit.errors.RoomKitError`; never a raw vendor exception.
* A call cancelled midway leaves no task behind, and concurrent calls all answer.

Subclass :class:`ToolProviderSuite`, name the calls it may make, and provide a ``component``
fixture::

    class TestMyTools(ToolProviderSuite):
        sample_call = ("add", {"a": 1, "b": 2})
        sample_expected = "3"
        failing_call = ("explode", {})          # optional: a tool that always fails
        slow_call = ("slow", {"seconds": 5})    # optional: a tool that takes a while

        @pytest.fixture
        async def component(self):
            provider = MyToolProvider(...)
            yield provider
            await provider.close()

Tests needing ``failing_call`` or ``slow_call`` skip when it is ``None``.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, ClassVar

import pytest

from roomkit.errors import RoomKitError
from roomkit.models.room import AITool
from roomkit.tools.compose import ToolHandler, UnknownToolError, compose_tool_handlers
from roomkit_conformance.base import SuiteBase

__all__ = ["ToolCall", "ToolProviderSuite", "check_tools"]

ToolCall = tuple[str, dict[str, Any]]
"""``(tool name as listed, arguments)``."""


def check_tools(tools: Any) -> list[AITool]:
    """Assert the invariants of a tool listing; return it typed."""
    assert isinstance(tools, list), f"list_tools() must return a list, got {type(tools)!r}"
    assert tools, "list_tools() returned no tools"
    names: list[str] = []
    for tool in tools:
        assert isinstance(tool, AITool), f"list_tools() item is {type(tool)!r}, not AITool"
        assert isinstance(tool.name, str), f"tool name is {type(tool.name)!r}, not str"
        assert tool.name.strip(), "a tool has an empty name"
        params = tool.parameters
        assert isinstance(params, dict), f"{tool.name}: parameters must be a dict"
        assert params.get("type") == "object", (
            f"{tool.name}: parameters must be a JSON-Schema object, got type {params.get('type')!r}"
        )
        assert isinstance(params.get("properties", {}), dict), (
            f"{tool.name}: parameters.properties must be an object"
        )
        names.append(tool.name)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"duplicate tool names: {duplicates}"
    return tools


class ToolProviderSuite(SuiteBase):
    """Conformance tests every ``tool_provider`` plugin must pass."""

    #: A call that succeeds: ``(name, arguments)``. Required.
    sample_call: ClassVar[ToolCall | None] = None
    #: A substring the sample call's result must contain (unchecked when ``None``).
    sample_expected: ClassVar[str | None] = None
    #: A call to a tool that always fails (its test skips when ``None``).
    failing_call: ClassVar[ToolCall | None] = None
    #: A call that takes at least a second, for the cancellation test (skips when ``None``).
    slow_call: ClassVar[ToolCall | None] = None
    #: Seconds one call may take in these tests.
    call_timeout: ClassVar[float] = 15.0

    @pytest.fixture
    def sample(self) -> ToolCall:
        """The sample call; the suite cannot run without one."""
        if self.sample_call is None:
            pytest.fail(f"{type(self).__name__} must set sample_call = (tool_name, arguments)")
        return self.sample_call

    async def _call(self, handler: ToolHandler, call: ToolCall) -> Any:
        name, arguments = call
        async with asyncio.timeout(self.call_timeout):
            return await handler(name, dict(arguments))

    async def _tools(self, component: Any) -> list[AITool]:
        async with asyncio.timeout(self.call_timeout):
            return check_tools(await component.list_tools())

    def test_exposes_list_tools_and_handler(self, component: Any) -> None:
        assert callable(getattr(component, "list_tools", None)), "component needs list_tools()"
        assert callable(getattr(component, "handler", None)), "component.handler must be callable"

    @pytest.mark.asyncio
    async def test_lists_tools(self, component: Any, sample: ToolCall) -> None:
        tools = await self._tools(component)
        assert sample[0] in {t.name for t in tools}, f"sample tool {sample[0]!r} is not listed"

    @pytest.mark.asyncio
    async def test_listing_is_stable(self, component: Any) -> None:
        first = await self._tools(component)
        second = await self._tools(component)
        assert sorted(t.name for t in first) == sorted(t.name for t in second)

    @pytest.mark.asyncio
    async def test_sample_call_returns_text(self, component: Any, sample: ToolCall) -> None:
        result = await self._call(component.handler, sample)
        assert isinstance(result, str), f"a tool result must be str, got {type(result)!r}"
        if self.sample_expected is not None:
            assert self.sample_expected in result, (
                f"expected {self.sample_expected!r} in the result {result!r}"
            )

    @pytest.mark.asyncio
    async def test_unknown_tool_raises_unknown_tool_error(self, component: Any) -> None:
        name = f"no_such_tool_{uuid.uuid4().hex[:12]}"
        with pytest.raises(UnknownToolError) as caught:
            await self._call(component.handler, (name, {}))
        assert caught.value.tool_name == name

    @pytest.mark.asyncio
    async def test_composition_falls_through_to_the_next_handler(
        self, component: Any, sample: ToolCall
    ) -> None:
        asked: list[str] = []

        async def fallback(name: str, arguments: dict[str, Any]) -> str:
            asked.append(name)
            return f"fallback:{name}"

        composed = compose_tool_handlers(component.handler, fallback)
        name = f"fallback_only_{uuid.uuid4().hex[:12]}"
        assert await self._call(composed, (name, {})) == f"fallback:{name}"
        result = await self._call(composed, sample)
        assert isinstance(result, str)
        assert asked == [name], "the component must answer its own tools, not pass them on"

    @pytest.mark.asyncio
    async def test_failing_tool_yields_error_result_or_typed_error(self, component: Any) -> None:
        if self.failing_call is None:
            pytest.skip("suite subclass sets no failing_call")
        try:
            result = await self._call(component.handler, self.failing_call)
        except UnknownToolError:
            pytest.fail(f"failing tool {self.failing_call[0]!r} reported as unknown")
        except RoomKitError:
            return
        except Exception as exc:
            pytest.fail(f"a failing tool raised a raw {type(exc).__name__}: {exc}")
        assert isinstance(result, str), f"an error result must be str, got {type(result)!r}"
        assert result.strip(), "an error result must say what went wrong"

    @pytest.mark.asyncio
    async def test_bad_arguments_are_handled_cleanly(
        self, component: Any, sample: ToolCall
    ) -> None:
        bad = {"__conformance_unexpected__": object.__name__, "nested": {"x": [1, None]}}
        try:
            result = await self._call(component.handler, (sample[0], bad))
        except UnknownToolError:
            pytest.fail(f"tool {sample[0]!r} reported as unknown when called with bad arguments")
        except RoomKitError:
            return
        except Exception as exc:
            pytest.fail(f"bad arguments raised a raw {type(exc).__name__}: {exc}")
        assert isinstance(result, str), f"a tool result must be str, got {type(result)!r}"

    @pytest.mark.asyncio
    async def test_cancellation_leaves_no_task_behind(
        self, component: Any, sample: ToolCall
    ) -> None:
        if self.slow_call is None:
            pytest.skip("suite subclass sets no slow_call")
        await self._tools(component)  # open any session before taking the snapshot
        before = asyncio.all_tasks()
        call = asyncio.create_task(self._call(component.handler, self.slow_call))
        await asyncio.sleep(0.3)
        assert not call.done(), "slow_call finished before it could be cancelled"
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        leaked: set[asyncio.Task[Any]] = set()
        for _ in range(50):
            leaked = {t for t in asyncio.all_tasks() - before if not t.done()}
            leaked.discard(asyncio.current_task())
            if not leaked:
                break
            await asyncio.sleep(0.05)
        assert not leaked, f"tasks left running after cancellation: {leaked}"
        result = await self._call(component.handler, sample)
        assert isinstance(result, str), "the component must keep working after a cancelled call"

    @pytest.mark.asyncio
    async def test_concurrent_calls_all_answer(self, component: Any, sample: ToolCall) -> None:
        results = await asyncio.gather(*(self._call(component.handler, sample) for _ in range(20)))
        assert len(results) == 20
        for result in results:
            assert isinstance(result, str)
            if self.sample_expected is not None:
                assert self.sample_expected in result
