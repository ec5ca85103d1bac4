"""The default task runner: each delegated task is an asyncio task of this process."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from roomkit.channels.engine import RoomEngine
from roomkit.errors import ConfigurationError, TaskRunnerError
from roomkit.models.enums import TaskStatus
from roomkit.tasks.base import OnCompleteCallback, TaskRunner, run_delegated_task
from roomkit.tasks.models import DelegatedTask, DelegatedTaskResult

__all__ = ["InMemoryTaskRunner"]

logger = logging.getLogger("roomkit.tasks")


class InMemoryTaskRunner(TaskRunner):
    """Runs each delegated task as an :class:`asyncio.Task`; at most ``max_running`` at once
    (beyond, :meth:`submit` raises :class:`~roomkit.errors.TaskRunnerError`).

    Tasks live as long as this process: :meth:`close` (called by ``RoomKit.close``) cancels
    the ones still running, which end CANCELLED.
    """

    def __init__(self, *, max_running: int = 1_000) -> None:
        if max_running < 1:
            raise ConfigurationError(f"max_running must be >= 1, got {max_running}")
        self.max_running = max_running
        self._running: dict[str, tuple[DelegatedTask, asyncio.Task[None]]] = {}
        self._closed = False

    @property
    def running(self) -> int:
        """How many tasks are running now."""
        return len(self._running)

    async def submit(
        self,
        kit: RoomEngine,
        task: DelegatedTask,
        *,
        context: dict[str, Any] | None = None,
        on_complete: OnCompleteCallback | None = None,
    ) -> None:
        """Start ``task`` in the background."""
        if self._closed:
            raise TaskRunnerError("the task runner is closed")
        if len(self._running) >= self.max_running:
            raise TaskRunnerError(
                f"{self.max_running} delegated tasks are running already (max_running); "
                "wait for some to finish or raise the limit"
            )
        if task.id in self._running:
            raise TaskRunnerError(f"task {task.id!r} is already running")
        started = False

        async def work() -> None:
            nonlocal started
            started = True
            await self._run(kit, task, context, on_complete)

        def stop() -> None:
            # A task cancelled before it began never runs its body: let it start, see that
            # the handle has ended and record that instead.
            if started:
                job.cancel()

        job = asyncio.create_task(work(), name=f"roomkit-task-{task.id}")
        self._running[task.id] = (task, job)
        task.on_cancel(stop)
        job.add_done_callback(lambda _: self._running.pop(task.id, None))

    async def _run(
        self,
        kit: RoomEngine,
        task: DelegatedTask,
        context: dict[str, Any] | None,
        on_complete: OnCompleteCallback | None,
    ) -> None:
        if task.result is not None:  # cancelled before it started
            await _finish(task, task.result, on_complete)
            return
        try:
            result = await run_delegated_task(kit, task, context)
        except asyncio.CancelledError:
            task.cancel()  # no-op when the handle was cancelled first
            assert task.result is not None
            await _finish(task, task.result, on_complete)
            raise
        except Exception as exc:  # run_delegated_task reports failures as results
            logger.exception("delegated task %s crashed", task.id)
            result = task.make_result(TaskStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        task.on_cancel(None)
        await _finish(task, result, on_complete)

    async def cancel(self, task_id: str) -> bool:
        """Cancel the running task ``task_id``; ``False`` if no such task is running."""
        entry = self._running.get(task_id)
        if entry is None or entry[0].done:
            return False
        entry[0].cancel()
        return True

    async def close(self) -> None:
        """Cancel every running task and wait until they have recorded their end."""
        self._closed = True
        entries = list(self._running.values())
        for task, _ in entries:
            task.cancel()
        if entries:
            await asyncio.gather(*(job for _, job in entries), return_exceptions=True)


async def _finish(
    task: DelegatedTask, result: DelegatedTaskResult, on_complete: OnCompleteCallback | None
) -> None:
    """``on_complete(result)`` (its failure is logged), then end the handle."""
    if on_complete is not None:
        try:
            await on_complete(result)
        except Exception:
            logger.exception("on_complete of delegated task %s failed", task.id)
    task.set_result(result)
