"""The task-runner contract, and the work every runner does for a delegated task.

A runner decides *where and when* a delegated task runs (an asyncio task in this process,
a job queue ...); :func:`run_delegated_task` is *what* runs: the task is posted into its
child room and the agent's answer becomes the result. Runners follow the pluggable-backend
pattern of stores and lock managers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from roomkit.channels.engine import RoomEngine
from roomkit.models.content import TextContent
from roomkit.models.enums import DeliveryStatus, EventStatus, EventType, TaskStatus
from roomkit.models.event import RoomEvent
from roomkit.models.keys import ROUTE_KEY
from roomkit.tasks.models import DelegatedTask, DelegatedTaskResult

__all__ = ["TASK_KEY", "OnCompleteCallback", "TaskRunner", "run_delegated_task", "task_message"]

logger = logging.getLogger("roomkit.tasks")

OnCompleteCallback = Callable[[DelegatedTaskResult], Awaitable[None]]
"""``async def on_complete(result) -> None``, called once when a delegated task ends."""

TASK_KEY = "task_id"
"""Metadata key naming the delegated task on the events of its child room."""


class TaskRunner(ABC):
    """Runs delegated tasks in the background.

    :meth:`submit` starts a task and returns at once; when the task ends the runner calls
    ``on_complete(result)`` and then ends the handle (``task.set_result``), so a caller of
    ``task.wait()`` sees everything ``on_complete`` recorded. :meth:`cancel` stops a task by
    id. Implementations call :func:`run_delegated_task` to do the work.
    """

    @abstractmethod
    async def submit(
        self,
        kit: RoomEngine,
        task: DelegatedTask,
        *,
        context: dict[str, Any] | None = None,
        on_complete: OnCompleteCallback | None = None,
    ) -> None:
        """Start ``task`` (``context``: details for the agent); returns once it is started."""

    @abstractmethod
    async def cancel(self, task_id: str) -> bool:
        """Cancel a running task; ``True`` if it was found and cancelled."""

    async def close(self) -> None:  # noqa: B027 - optional, nothing to release by default
        """Stop every running task and release resources."""


def task_message(task: str, context: dict[str, Any] | None) -> str:
    """The message the agent receives: the task, then its context as JSON when given."""
    if not context:
        return task
    details = json.dumps(context, indent=2, ensure_ascii=False, default=str)
    return f"{task}\n\nContext:\n{details}"


async def run_delegated_task(
    kit: RoomEngine, task: DelegatedTask, context: dict[str, Any] | None = None
) -> DelegatedTaskResult:
    """Post ``task`` into its child room and wait for the agent's answer.

    The message is addressed to the agent (so a routed agent answers even when it is not
    its router's active agent). COMPLETED carries the text of the agent's replies; FAILED
    carries why there is none (the agent's turn failed, it answered nothing, or the room
    refused the message). Cancellation propagates.
    """
    task.start()
    try:
        outcome = await kit.send_event(
            task.child_room_id,
            TextContent(body=task_message(task.task, context)),
            metadata={TASK_KEY: task.id, ROUTE_KEY: task.agent_id},
        )
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        logger.warning("delegated task %s could not be posted: %r", task.id, exc)
        return task.make_result(TaskStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    event = outcome.event
    if outcome.blocked or event is None:
        reason = outcome.reason or "the message was blocked"
        return task.make_result(TaskStatus.FAILED, error=f"task message blocked: {reason}")
    replies = [text for e in outcome.responses if (text := _reply_text(e, task.agent_id))]
    if replies:
        return task.make_result(TaskStatus.COMPLETED, output="\n\n".join(replies))
    failed = event.delivery_results.get(task.agent_id)
    if failed is not None and failed.status is DeliveryStatus.FAILED:
        return task.make_result(TaskStatus.FAILED, error=failed.error or "the agent failed")
    return task.make_result(
        TaskStatus.FAILED, error=f"agent {task.agent_id!r} gave no answer to the task"
    )


def _reply_text(event: RoomEvent, agent_id: str) -> str:
    if (
        event.source.channel_id != agent_id
        or event.type is not EventType.MESSAGE
        or event.status is EventStatus.BLOCKED
    ):
        return ""
    body = getattr(event.content, "body", None)
    return body.strip() if isinstance(body, str) else ""
