"""The tool-provider suite passes a correct provider and catches broken ones."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from roomkit.errors import ProviderError
from roomkit.models.room import AITool
from roomkit.tools.compose import ToolHandler, UnknownToolError
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES, suite_for
from roomkit_conformance.suites.tool_provider import ToolProviderSuite, check_tools


class CalculatorTools:
    """A correct in-process tool provider: ``add``, ``explode`` and ``slow``."""

    def __init__(self) -> None:
        self.closed = False

    async def list_tools(self) -> list[AITool]:
        number = {"type": "number"}
        return [
            AITool(
                name="add",
                description="Add two numbers.",
                parameters={
                    "type": "object",
                    "properties": {"a": number, "b": number},
                    "required": ["a", "b"],
                },
            ),
            AITool(name="explode", parameters={"type": "object", "properties": {}}),
            AITool(
                name="slow",
                parameters={"type": "object", "properties": {"seconds": number}},
            ),
        ]

    async def _call(self, name: str, arguments: dict[str, Any]) -> str:
        if name == "add":
            try:
                return str(arguments["a"] + arguments["b"])
            except (KeyError, TypeError) as exc:
                return json.dumps({"error": f"bad arguments: {exc}"})
        if name == "explode":
            raise ProviderError("the calculator exploded", provider="calculator")
        if name == "slow":
            await asyncio.sleep(float(arguments.get("seconds", 1)))
            return "done"
        raise UnknownToolError(name)

    @property
    def handler(self) -> ToolHandler:
        return self._call


class TestCalculatorTools(ToolProviderSuite):
    sample_call = ("add", {"a": 1, "b": 2})
    sample_expected = "3"
    failing_call = ("explode", {})
    slow_call = ("slow", {"seconds": 5})

    @pytest.fixture
    async def component(self) -> AsyncIterator[CalculatorTools]:
        tools = CalculatorTools()
        yield tools
        tools.closed = True


def test_kind_is_registered() -> None:
    assert suite_for("tool_provider") == (
        "roomkit_conformance.suites.tool_provider:ToolProviderSuite"
    )


@pytest.mark.parametrize(
    ("tools", "message"),
    [
        ([], "no tools"),
        ([AITool(name="a"), AITool(name="a")], "duplicate"),
        ([AITool(name="a", parameters={"type": "array"})], "JSON-Schema object"),
        ([AITool.model_construct(name=" ", parameters={"type": "object"})], "empty name"),
        ((AITool(name="a", parameters={"type": "object"}),), "must return a list"),
    ],
)
def test_check_tools_rejects_bad_listings(tools: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_tools(tools)


BROKEN = """
import asyncio
import pytest_asyncio
from roomkit.models.room import AITool

class Sloppy:
    '''Returns None for unknown tools, leaks vendor errors and tasks, shares names.'''
    async def list_tools(self):
        return [AITool(name="add"), AITool(name="add", parameters={"type": "array"})]
    async def _call(self, name, arguments):
        if name == "add":
            return arguments["a"] + arguments["b"]
        if name == "explode":
            raise RuntimeError("vendor SDK blew up")
        if name == "slow":
            asyncio.get_running_loop().create_task(asyncio.sleep(60))
            await asyncio.sleep(5)
            return "done"
        return None
    @property
    def handler(self):
        return self._call

class Fixtures:
    sample_call = ("add", {"a": 1, "b": 2})
    sample_expected = "3"
    failing_call = ("explode", {})
    slow_call = ("slow", {"seconds": 5})

    @pytest_asyncio.fixture
    async def component(self):
        yield Sloppy()
"""


def test_broken_tool_provider_fails_the_suite(tmp_path: Path) -> None:
    (tmp_path / "broken_tools.py").write_text(BROKEN)
    target = Target(
        "test", "tool_provider", "broken", "broken_tools:Fixtures", SUITES["tool_provider"]
    )
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failed = " ".join(result.failures)
    for name in (
        "test_lists_tools",
        "test_sample_call_returns_text",
        "test_unknown_tool_raises_unknown_tool_error",
        "test_composition_falls_through_to_the_next_handler",
        "test_failing_tool_yields_error_result_or_typed_error",
        "test_bad_arguments_are_handled_cleanly",
        "test_cancellation_leaves_no_task_behind",
        "test_concurrent_calls_all_answer",
    ):
        assert name in failed, f"{name} should have failed"


UNKNOWN_ONLY = """
import pytest_asyncio
from roomkit.models.room import AITool

class NoneForUnknown:
    '''Correct except that it answers None for tools it does not know.'''
    async def list_tools(self):
        return [AITool(name="add", parameters={"type": "object", "properties": {}})]
    async def _call(self, name, arguments):
        if name == "add":
            return str(arguments.get("a", 0) + arguments.get("b", 0))
        return None
    @property
    def handler(self):
        return self._call

class Fixtures:
    sample_call = ("add", {"a": 1, "b": 2})
    sample_expected = "3"

    @pytest_asyncio.fixture
    async def component(self):
        yield NoneForUnknown()
"""


def test_none_for_unknown_tool_is_caught(tmp_path: Path) -> None:
    (tmp_path / "none_tools.py").write_text(UNKNOWN_ONLY)
    target = Target("test", "tool_provider", "none", "none_tools:Fixtures", SUITES["tool_provider"])
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failed = sorted(result.failures)
    assert any("test_unknown_tool_raises_unknown_tool_error" in f for f in failed)
    assert any("test_composition_falls_through_to_the_next_handler" in f for f in failed)
    assert not any("test_sample_call_returns_text" in f for f in failed)
