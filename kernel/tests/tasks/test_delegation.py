"""Delegation end to end: an agent hands a sub-task to another agent in a child room and
gets the result back (MockAIProvider models, the real engine and in-memory store)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from roomkit import (
    DELEGATE_TOOL,
    Agent,
    AIResponse,
    AIToolCall,
    ChannelNotFoundError,
    ChannelNotRegisteredError,
    DelegatedTask,
    DelegatedTaskResult,
    DelegateHandler,
    EventType,
    HookExecution,
    HookTrigger,
    InboundMessage,
    InMemoryTaskRunner,
    Observation,
    RoomContext,
    RoomKit,
    RoomNotFoundError,
    Task,
    TaskRunner,
    TaskRunnerError,
    TaskStatus,
    TextContent,
    WebSocketChannel,
    build_delegate_tool,
    setup_delegation,
)
from roomkit.errors import ProviderError
from roomkit.testing import MockAIProvider


async def parent_room(main: Agent, *workers: Agent, kit: RoomKit | None = None) -> RoomKit:
    kit = kit or RoomKit()
    kit.register_channel(WebSocketChannel("ws"))
    for agent in (main, *workers):
        kit.register_channel(agent)
    await kit.create_room(room_id="parent")
    await kit.attach_channel("parent", "ws")
    await kit.attach_channel("parent", main.channel_id)
    return kit


def said(body: str) -> InboundMessage:
    return InboundMessage(channel_id="ws", sender_id="user", content=TextContent(body=body))


async def test_an_agent_delegates_through_the_tool_and_hears_the_result() -> None:
    main_ai = MockAIProvider(
        [
            AIResponse(
                tool_calls=[
                    AIToolCall(
                        id="c1",
                        name="delegate_task",
                        arguments={
                            "agent": "researcher",
                            "task": "Find the opening hours of the Louvre",
                            "context": {"city": "Paris"},
                        },
                    )
                ]
            ),
            "I asked our researcher, I will tell you soon.",
            "The Louvre opens at 9:00.",
        ]
    )
    worker_ai = MockAIProvider(["Open 9:00-18:00, closed on Tuesdays."])
    main = Agent("main", main_ai, system_prompt="You are the concierge.")
    worker = Agent("researcher", worker_ai, system_prompt="You research facts.")
    kit = await parent_room(main, worker)
    completed: list[tuple[RoomEvent_, RoomContext]] = []
    handles: list[DelegatedTask] = []

    @kit.hook(HookTrigger.ON_TASK_DELEGATED, execution=HookExecution.SYNC)
    async def on_delegated(event: Any, ctx: RoomContext) -> None:
        handles.append(ctx.metadata["delegated_task"])

    @kit.hook(HookTrigger.ON_TASK_COMPLETED, execution=HookExecution.SYNC)
    async def on_done(event: Any, ctx: RoomContext) -> None:
        completed.append((event, ctx))

    setup_delegation(main, DelegateHandler(kit), tool=build_delegate_tool([("researcher", None)]))

    first = await kit.process_inbound(said("When is the Louvre open?"))
    assert [e.content.body for e in first.responses] == [  # type: ignore[union-attr]
        "I asked our researcher, I will tell you soon."
    ]
    # the tool answered the model with the task's handle
    tool_message = main_ai.calls[1].messages[-1]
    assert tool_message.role == "tool"
    assert '"status": "delegated"' in tool_message.text

    [record] = await kit.list_tasks("parent")
    assert record.assigned_to == "researcher"
    child_id = record.metadata["child_room_id"]
    assert child_id.startswith("parent::task-")
    runner = kit.task_runner
    assert isinstance(runner, InMemoryTaskRunner)
    [handle] = handles
    assert handle.id == record.id
    assert (await handle.wait(timeout=10)).status is TaskStatus.COMPLETED
    [record] = await kit.list_tasks("parent")
    assert record.status is TaskStatus.COMPLETED

    # the worker saw the task and its context in the child room, never the parent's talk
    [worker_call] = worker_ai.calls
    assert worker_call.messages[-1].text.startswith("Find the opening hours of the Louvre")
    assert '"city": "Paris"' in worker_call.messages[-1].text
    assert all("When is the Louvre open" not in m.text for m in worker_call.messages)
    child = await kit.get_room(child_id)
    assert child.metadata["parent_room_id"] == "parent"
    assert child.metadata["task_status"] == "completed"
    assert child.metadata["task_result"] == "Open 9:00-18:00, closed on Tuesdays."
    child_events = await kit.get_timeline(child_id)
    assert [e.source.channel_id for e in child_events if e.type is EventType.MESSAGE] == [
        "system",
        "researcher",
    ]

    # ON_TASK_COMPLETED saw the result, in the parent room
    [(event, ctx)] = completed
    assert event.type is EventType.TASK_COMPLETED
    assert event.room_id == "parent"
    assert event.content.body == "Open 9:00-18:00, closed on Tuesdays."
    assert ctx.metadata["task_result"].output == "Open 9:00-18:00, closed on Tuesdays."

    # the calling agent hears the result at its next turn, once
    await kit.process_inbound(said("So?"))
    assert "Open 9:00-18:00, closed on Tuesdays." in (main_ai.calls[2].system_prompt or "")
    assert "You are the concierge." in (main_ai.calls[2].system_prompt or "")
    await kit.process_inbound(said("Thanks"))
    assert "Open 9:00" not in (main_ai.calls[3].system_prompt or "")


async def _wait_record(kit: RoomKit, task_id: str) -> Task:
    for _ in range(1000):
        [record] = [t for t in await kit.list_tasks("parent") if t.id == task_id]
        if record.status is not TaskStatus.IN_PROGRESS:
            return record
        await asyncio.sleep(0.01)
    raise AssertionError("the delegated task did not end")


async def test_kit_delegate_returns_a_handle_to_wait_on_and_fires_hooks() -> None:
    worker_ai = MockAIProvider(["summary: all good"])
    main = Agent("main", MockAIProvider(["ok"]))
    worker = Agent("worker", worker_ai)
    kit = await parent_room(main, worker)
    seen: list[tuple[str, Any]] = []

    @kit.hook(HookTrigger.ON_TASK_DELEGATED, execution=HookExecution.SYNC)
    async def delegated(event: Any, ctx: RoomContext) -> None:
        seen.append(("delegated", event))

    finished: list[DelegatedTaskResult] = []

    async def on_complete(result: DelegatedTaskResult) -> None:
        finished.append(result)

    task = await kit.delegate(
        "parent",
        "worker",
        "Summarise the ticket",
        share_channels=["ws"],
        context={"ticket": 7},
        notify="main",
        on_complete=on_complete,
    )
    assert isinstance(task, DelegatedTask)
    result = await task.wait(timeout=10)
    assert result.status is TaskStatus.COMPLETED
    assert result.output == "summary: all good"
    assert result.metadata == {"ticket": 7}
    assert result.duration_ms > 0
    assert task.status is TaskStatus.COMPLETED
    assert finished == [result]
    [(_, event)] = seen
    assert event.type is EventType.TASK_DELEGATED
    assert event.metadata["task_id"] == task.id
    bindings = {b.channel_id for b in await kit.list_bindings(task.child_room_id)}
    assert bindings == {"worker", "ws"}
    [record] = await kit.list_tasks("parent", status=TaskStatus.COMPLETED)
    assert record.metadata["output"] == "summary: all good"
    assert await kit.list_tasks("parent", status="failed") == []


async def test_a_failing_agent_fails_the_task_with_its_error() -> None:
    worker = Agent("worker", MockAIProvider(errors=ProviderError("model unavailable")))
    kit = await parent_room(Agent("main", MockAIProvider()), worker)
    task = await kit.delegate("parent", "worker", "Do it")
    result = await task.wait(timeout=10)
    assert result.status is TaskStatus.FAILED
    assert result.error == "ProviderError: model unavailable"
    [record] = await kit.list_tasks("parent")
    assert record.status is TaskStatus.FAILED


async def test_cancel_stops_a_running_task() -> None:
    worker = Agent("worker", MockAIProvider(["late"], delay=30))
    kit = await parent_room(Agent("main", MockAIProvider()), worker)
    task = await kit.delegate("parent", "worker", "Take your time")
    await asyncio.sleep(0)  # let it start
    assert await kit.task_runner.cancel(task.id)
    result = await task.wait(timeout=5)
    assert result.status is TaskStatus.CANCELLED
    record = await _wait_record(kit, task.id)  # recorded by the runner after the handle ended
    assert record.status is TaskStatus.CANCELLED
    assert not await kit.task_runner.cancel(task.id)
    task.cancel()  # a no-op on an ended task
    assert task.result is result


async def test_close_cancels_tasks_still_running() -> None:
    worker = Agent("worker", MockAIProvider(["late"], delay=30))
    kit = await parent_room(Agent("main", MockAIProvider()), worker)
    task = await kit.delegate("parent", "worker", "Take your time")
    await kit.close(timeout=5)
    assert (await task.wait(timeout=1)).status is TaskStatus.CANCELLED
    with pytest.raises(TaskRunnerError, match="closed"):
        await kit.task_runner.submit(
            kit,
            DelegatedTask(
                id="t2", child_room_id="c", parent_room_id="parent", agent_id="worker", task="x"
            ),
        )


async def test_bad_delegations_raise_errors_that_say_what_is_wrong() -> None:
    kit = await parent_room(Agent("main", MockAIProvider()), Agent("worker", MockAIProvider()))
    with pytest.raises(RoomNotFoundError):
        await kit.delegate("nope", "worker", "x")
    with pytest.raises(ChannelNotRegisteredError):
        await kit.delegate("parent", "ghost", "x")
    with pytest.raises(ChannelNotFoundError, match="share_channels"):
        await kit.delegate("parent", "worker", "x", share_channels=["sms"])
    with pytest.raises(ValueError, match="task"):
        await kit.delegate("parent", "worker", "   ")
    assert await kit.list_tasks("parent") == []


async def test_the_handler_answers_the_model_with_errors_instead_of_raising() -> None:
    kit = await parent_room(Agent("main", MockAIProvider()), Agent("worker", MockAIProvider()))
    handler = DelegateHandler(kit)
    assert "agent" in (await handler.handle("parent", "main", {"task": "x"}))["error"]
    assert "task" in (await handler.handle("parent", "main", {"agent": "worker"}))["error"]
    unknown = await handler.handle("parent", "main", {"agent": "ghost", "task": "x"})
    assert "ghost" in unknown["error"]
    ok = await handler.handle("parent", "main", {"agent": "worker", "task": "x"})
    assert ok["status"] == "delegated"
    assert ok["agent_id"] == "worker"


def test_the_delegate_tool_lists_the_allowed_agents() -> None:
    assert build_delegate_tool([]) is DELEGATE_TOOL
    tool = build_delegate_tool([("billing", "invoices and refunds"), ("search", None)])
    agent = tool.parameters["properties"]["agent"]
    assert agent["enum"] == ["billing", "search"]
    assert "billing: invoices and refunds" in tool.description
    assert "enum" not in DELEGATE_TOOL.parameters["properties"]["agent"]
    assert tool.parameters["required"] == ["agent", "task"]


async def test_a_custom_runner_is_used() -> None:
    class Recording(TaskRunner):
        def __init__(self) -> None:
            self.submitted: list[DelegatedTask] = []

        async def submit(
            self, kit: Any, task: DelegatedTask, *, context: Any = None, on_complete: Any = None
        ) -> None:
            self.submitted.append(task)

        async def cancel(self, task_id: str) -> bool:
            return False

    runner = Recording()
    kit = RoomKit(task_runner=runner)
    kit = await parent_room(Agent("main", MockAIProvider()), Agent("w", MockAIProvider()), kit=kit)
    task = await kit.delegate("parent", "w", "queued elsewhere")
    assert kit.task_runner is runner
    assert runner.submitted == [task]
    assert task.status is TaskStatus.PENDING


async def test_ai_response_tasks_and_observations_are_stored() -> None:
    reply = AIResponse(
        content="noted",
        tasks=[Task(room_id="parent", title="call back")],
        observations=[Observation(room_id="parent", category="intent", content="wants a refund")],
    )
    main = Agent("main", MockAIProvider([reply]))
    kit = await parent_room(main)
    await kit.process_inbound(said("refund please"))
    [task] = await kit.list_tasks("parent")
    assert task.title == "call back"
    [observation] = await kit.list_observations("parent")
    assert observation.category == "intent"
    assert observation.content == "wants a refund"


RoomEvent_ = Any
