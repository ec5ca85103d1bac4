"""A delegated task: the handle its caller holds, and the result it ends with."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from pydantic import Field

from roomkit.deferred import DeferredModel
from roomkit.models.enums import TaskStatus

__all__ = ["DelegatedTask", "DelegatedTaskResult"]

_FINAL = frozenset({TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED})


class DelegatedTaskResult(DeferredModel):
    """How a delegated task ended: ``output`` is the agent's answer (COMPLETED), ``error``
    says what went wrong (FAILED, CANCELLED); ``metadata`` holds the task's context."""

    task_id: str
    child_room_id: str
    parent_room_id: str
    agent_id: str
    status: TaskStatus = TaskStatus.COMPLETED
    output: str | None = None
    error: str | None = None
    duration_ms: float = 0.0
    metadata: dict[str, Any] = Field(default_factory=dict)


class DelegatedTask:
    """The handle of a task handed to an agent in a child room.

    ``status`` moves PENDING -> IN_PROGRESS -> COMPLETED / FAILED / CANCELLED; ``result`` is
    set once it ends. ``await task.wait()`` blocks until then; :meth:`cancel` stops it. Not a
    pydantic model: it holds mutable state and an :class:`asyncio.Event`.
    """

    def __init__(
        self, *, id: str, child_room_id: str, parent_room_id: str, agent_id: str, task: str
    ) -> None:
        self.id = id
        self.child_room_id = child_room_id
        self.parent_room_id = parent_room_id
        self.agent_id = agent_id
        self.task = task
        self.status = TaskStatus.PENDING
        self.result: DelegatedTaskResult | None = None
        self.metadata: dict[str, Any] = {}
        self._done = asyncio.Event()
        self._started = time.monotonic()
        self._canceller: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return (
            f"DelegatedTask(id={self.id!r}, agent_id={self.agent_id!r}, "
            f"child_room_id={self.child_room_id!r}, status={self.status.value!r})"
        )

    @property
    def done(self) -> bool:
        """Whether the task has ended (a result is set)."""
        return self.result is not None

    @property
    def elapsed_ms(self) -> float:
        """Milliseconds since the task was created."""
        return (time.monotonic() - self._started) * 1000

    async def wait(self, timeout: float | None = None) -> DelegatedTaskResult:
        """The result, once the task has ended.

        Raises:
            TimeoutError: ``timeout`` seconds passed first (the task keeps running).
        """
        if self.result is None:
            async with asyncio.timeout(timeout):
                await self._done.wait()
        assert self.result is not None
        return self.result

    def cancel(self) -> None:
        """Stop the task: it ends CANCELLED at once and waiters are released; the runner
        stops the agent's work. No effect on a task that has already ended."""
        if self.result is not None:
            return
        self.set_result(self.make_result(TaskStatus.CANCELLED, error="cancelled"))
        canceller, self._canceller = self._canceller, None
        if canceller is not None:
            canceller()

    # -- for task runners -------------------------------------------------------------------
    def on_cancel(self, canceller: Callable[[], None] | None) -> None:
        """Called by a task runner: ``canceller()`` stops the work when :meth:`cancel` is
        called (``None`` once the work is over)."""
        self._canceller = canceller

    def start(self) -> None:
        """Called by a task runner when the work begins."""
        if self.result is None:
            self.status = TaskStatus.IN_PROGRESS

    def make_result(
        self, status: TaskStatus, *, output: str | None = None, error: str | None = None
    ) -> DelegatedTaskResult:
        """A result of this task with ``status``, timed from its creation."""
        return DelegatedTaskResult(
            task_id=self.id,
            child_room_id=self.child_room_id,
            parent_room_id=self.parent_room_id,
            agent_id=self.agent_id,
            status=status,
            output=output,
            error=error,
            duration_ms=self.elapsed_ms,
            metadata=dict(self.metadata),
        )

    def set_result(self, result: DelegatedTaskResult) -> bool:
        """End the task with ``result`` and release waiters; ``False`` (and no change) when
        it had already ended, e.g. was cancelled meanwhile."""
        if self.result is not None:
            return False
        if result.status not in _FINAL:
            raise ValueError(f"a task ends COMPLETED, FAILED or CANCELLED, not {result.status}")
        self.result = result
        self.status = result.status
        self._done.set()
        return True
