"""Delegation on the kit: ``delegate``, ``list_tasks`` and the ``task_runner``.

``kit.delegate(room_id, agent_id, task)`` creates a child room of ``room_id`` (id
``<room_id>::<task_id>``, metadata linking it to its parent), attaches the agent and any
shared channels, records a :class:`~roomkit.models.Task` in the parent room, fires
``ON_TASK_DELEGATED`` and hands the work to the task runner. When the task ends its record
and the child room's metadata say how, the ``notify`` channel finds the result in its system
prompt at its next turn in the parent room, and ``ON_TASK_COMPLETED`` fires. Nothing here
takes the parent room's lock, so an agent may delegate from inside its own turn.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any, cast

from roomkit.core._text import short_id
from roomkit.core.context import build_context
from roomkit.errors import ChannelNotFoundError, ConfigurationError, RoomClosedError
from roomkit.models.content import TextContent
from roomkit.models.enums import (
    ChannelDirection,
    ChannelType,
    EventStatus,
    EventType,
    HookTrigger,
    RoomStatus,
    TaskStatus,
)
from roomkit.models.event import EventSource, RoomEvent
from roomkit.models.task import Task

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit
    from roomkit.tasks.base import OnCompleteCallback, TaskRunner
    from roomkit.tasks.models import DelegatedTask, DelegatedTaskResult

__all__ = ["DelegationMixin", "completion_note"]

logger = logging.getLogger("roomkit.tasks")

_TITLE_LENGTH = 120


def completion_note(result: DelegatedTaskResult) -> str:
    """What the notified agent is told about a finished task (added to its system prompt)."""
    lines = [
        f"[Background task {result.task_id} handled by {result.agent_id} has ended: "
        f"{result.status.value}.]"
    ]
    if result.output:
        lines += ["Result:", result.output]
    if result.error:
        lines.append(f"Error: {result.error}")
    lines.append("Tell the user about this result when it is relevant.")
    return "\n".join(lines)


class DelegationMixin:
    """``delegate``, ``list_tasks`` and ``task_runner`` of
    :class:`~roomkit.core.framework.RoomKit`."""

    _task_runner: TaskRunner | None

    @property
    def task_runner(self) -> TaskRunner:
        """The runner of delegated tasks (``RoomKit(task_runner=...)``; by default an
        :class:`~roomkit.tasks.InMemoryTaskRunner`, made at first use)."""
        if self._task_runner is None:
            # lazy: only kits that delegate load the task machinery
            from roomkit.tasks.memory import InMemoryTaskRunner

            self._task_runner = InMemoryTaskRunner()
        return self._task_runner

    async def list_tasks(self, room_id: str, status: TaskStatus | str | None = None) -> list[Task]:
        """The tasks of a room (delegated ones and those hooks or channels created), oldest
        first, optionally only those with ``status``."""
        kit = self._kit()
        await kit.get_room(room_id)
        return await kit.store.list_tasks(room_id, status)

    async def delegate(
        self,
        room_id: str,
        agent_id: str,
        task: str,
        *,
        context: dict[str, Any] | None = None,
        share_channels: list[str] | None = None,
        notify: str | None = None,
        on_complete: OnCompleteCallback | None = None,
    ) -> DelegatedTask:
        """Hand ``task`` to the agent ``agent_id``, which works on it in a child room of
        ``room_id`` in the background.

        ``context`` is passed to the agent with the task; ``share_channels`` (channels of the
        parent room) are attached to the child room too; ``notify`` (default: ``agent_id``)
        is the AI channel told the result at its next turn in the parent room;
        ``on_complete`` is awaited with the :class:`~roomkit.tasks.DelegatedTaskResult`.
        Returns the :class:`~roomkit.tasks.DelegatedTask` handle (``await task.wait()``).

        Raises:
            RoomNotFoundError / RoomClosedError: the parent room is missing or closed.
            ChannelNotRegisteredError: ``agent_id`` or ``notify`` is not registered.
            ChannelNotFoundError: a shared channel is not attached to the parent room.
            ConfigurationError: ``task`` is empty or ``context`` is not a dict.
            TaskRunnerError: the runner cannot take the task.
        """
        # lazy: only kits that delegate load the task machinery
        from roomkit.tasks.models import DelegatedTask

        kit = self._kit()
        parent = await kit.get_room(room_id)
        if parent.status is RoomStatus.CLOSED:
            raise RoomClosedError(f"room {short_id(room_id)} is closed")
        if not isinstance(task, str) or not task.strip():
            raise ConfigurationError("task must be a non-empty description of the work")
        if context is not None and not isinstance(context, dict):
            raise ConfigurationError(f"context must be a dict, not {type(context).__name__}")
        agent = kit.get_channel(agent_id)
        notify_id = notify or agent_id
        kit.get_channel(notify_id)
        shared = list(dict.fromkeys(share_channels or []))
        attached = {b.channel_id for b in await kit.list_bindings(room_id)}
        missing = [c for c in shared if c not in attached]
        if missing:
            raise ChannelNotFoundError(
                f"share_channels {missing} are not attached to room {short_id(room_id)}"
            )
        runner = self.task_runner
        task_id = f"task-{secrets.token_hex(6)}"
        child_id = f"{room_id}::{task_id}"
        await kit.create_room(
            child_id,
            organization_id=parent.organization_id,
            metadata={
                "parent_room_id": room_id,
                "task_id": task_id,
                "task_agent_id": agent_id,
                "task_input": task,
                "task_context": dict(context or {}),
                "task_status": TaskStatus.IN_PROGRESS.value,
            },
        )
        await kit.attach_channel(child_id, agent_id)
        for channel_id in shared:
            if channel_id != agent_id:
                await kit.attach_channel(child_id, channel_id)
        handle = DelegatedTask(
            id=task_id, child_room_id=child_id, parent_room_id=room_id, agent_id=agent_id, task=task
        )
        handle.metadata = dict(context or {})
        title = task if len(task) <= _TITLE_LENGTH else task[: _TITLE_LENGTH - 3] + "..."
        record = await kit.store.add_task(
            Task(
                id=task_id,
                room_id=room_id,
                title=title,
                description=task,
                status=TaskStatus.IN_PROGRESS,
                assigned_to=agent_id,
                metadata={"delegated": True, "child_room_id": child_id, "notify": notify_id},
            )
        )
        payload = _task_event(
            room_id,
            EventType.TASK_DELEGATED,
            agent_id,
            agent.channel_type,
            f"[Task delegated to {agent_id}] {task}",
            {"task_id": task_id, "child_room_id": child_id, "agent_id": agent_id},
        )
        await self._fire_task_hook(
            HookTrigger.ON_TASK_DELEGATED, payload, {"task": record, "delegated_task": handle}
        )

        async def finished(result: DelegatedTaskResult) -> None:
            await self._task_finished(record, notify_id, result)
            if on_complete is not None:
                await on_complete(result)

        try:
            await runner.submit(kit, handle, context=context, on_complete=finished)
        except Exception as exc:
            await finished(handle.make_result(TaskStatus.FAILED, error=str(exc)))
            raise
        return handle

    async def _task_finished(
        self, record: Task, notify_id: str, result: DelegatedTaskResult
    ) -> None:
        """Record how a delegated task ended, tell the ``notify`` channel, fire
        ``ON_TASK_COMPLETED``. Failures are reported, never raised."""
        # lazy: AI channels (and their providers) only once a task ends
        from roomkit.channels.ai import AIChannel

        kit = self._kit()
        outcome = {
            "output": result.output,
            "error": result.error,
            "duration_ms": result.duration_ms,
        }
        try:
            record = record.model_copy(
                update={"status": result.status, "metadata": {**record.metadata, **outcome}}
            )
            await kit.store.update_task(record)
            await kit.update_room_metadata(
                result.child_room_id,
                {
                    "task_status": result.status.value,
                    "task_result": result.output,
                    "task_error": result.error,
                },
            )
        except Exception as exc:
            logger.warning("recording the end of task %s failed: %r", record.id, exc)
        channel = kit.channels.get(notify_id)
        agent = kit.channels.get(result.agent_id)
        if isinstance(channel, AIChannel):
            channel.add_system_note(result.parent_room_id, completion_note(result))
        payload = _task_event(
            result.parent_room_id,
            EventType.TASK_COMPLETED,
            result.agent_id,
            agent.channel_type if agent is not None else ChannelType.AI,
            result.output or result.error or result.status.value,
            {
                "task_id": result.task_id,
                "child_room_id": result.child_room_id,
                "agent_id": result.agent_id,
                "task_status": result.status.value,
                "duration_ms": result.duration_ms,
            },
        )
        await self._fire_task_hook(
            HookTrigger.ON_TASK_COMPLETED, payload, {"task": record, "task_result": result}
        )

    async def _fire_task_hook(
        self, trigger: HookTrigger, payload: RoomEvent, metadata: dict[str, Any]
    ) -> None:
        kit = self._kit()
        rt = kit._rt
        if not rt.hooks.has(trigger):
            return
        try:
            room = await rt.store.get_room(payload.room_id)
            if room is None:
                return
            ctx = await build_context(rt, room)
            ctx.metadata.update(metadata)
            await rt.hooks.fire(trigger, payload, ctx)
        except Exception as exc:
            logger.warning("%s hooks of room %s failed: %r", trigger, payload.room_id, exc)

    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)  # this mixin is only ever part of RoomKit


def _task_event(
    room_id: str,
    event_type: EventType,
    agent_id: str,
    channel_type: ChannelType,
    body: str,
    metadata: dict[str, Any],
) -> RoomEvent:
    """The payload of the task hooks: an event of the parent room, never stored."""
    return RoomEvent(
        room_id=room_id,
        type=event_type,
        source=EventSource(
            channel_id=agent_id, channel_type=channel_type, direction=ChannelDirection.INBOUND
        ),
        content=TextContent(body=body),
        status=EventStatus.DELIVERED,
        visibility="none",
        metadata=metadata,
    )
