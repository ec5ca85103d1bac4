"""The ``delegate_task`` tool: an agent hands a sub-task to another agent.

:func:`setup_delegation` offers the tool to an AI channel and routes its calls to a
:class:`DelegateHandler`, which calls ``kit.delegate(...)`` for the room the calling agent is
answering in. The tool answers at once (``{"status": "delegated", "task_id": ...}``); the
task runs in the background in a child room, and when it ends the calling agent finds the
result in its system prompt at its next turn in the room.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Protocol

from roomkit.channels.ai import AIChannel
from roomkit.errors import RoomKitError
from roomkit.models.room import AITool
from roomkit.tasks.base import OnCompleteCallback
from roomkit.tasks.models import DelegatedTask
from roomkit.tools.context import get_tool_context

__all__ = [
    "DELEGATE_TOOL",
    "DELEGATE_TOOL_NAME",
    "DelegateHandler",
    "Delegator",
    "build_delegate_tool",
    "setup_delegation",
]

DELEGATE_TOOL_NAME = "delegate_task"

DELEGATE_TOOL = AITool(
    name=DELEGATE_TOOL_NAME,
    description=(
        "Hand a task to another agent, which works on it in the background in a room of its "
        "own while you carry on with this conversation. Use it for work that needs a "
        "specialist, that the user wants done in the background, or that can run in parallel. "
        "You will be told the result when it is done."
    ),
    parameters={
        "type": "object",
        "properties": {
            "agent": {"type": "string", "description": "The id of the agent to give the task to"},
            "task": {
                "type": "string",
                "description": "What the agent should do, stated completely",
            },
            "context": {
                "type": "object",
                "description": "Details the agent needs (an address, an order number ...)",
            },
            "share_channels": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Ids of channels of this room the agent may use as well",
            },
        },
        "required": ["agent", "task"],
    },
)
"""The generic tool: any agent id may be named. :func:`build_delegate_tool` lists the
allowed agents instead."""


def build_delegate_tool(targets: list[tuple[str, str | None]]) -> AITool:
    """The delegate tool restricted to ``targets``: ``(agent_id, description or None)`` pairs
    become an ``enum`` of the ``agent`` parameter and a list in the description. No targets:
    :data:`DELEGATE_TOOL`."""
    if not targets:
        return DELEGATE_TOOL
    parameters = copy.deepcopy(DELEGATE_TOOL.parameters)
    parameters["properties"]["agent"]["enum"] = [agent_id for agent_id, _ in targets]
    lines = [f"  - {agent}: {about}" if about else f"  - {agent}" for agent, about in targets]
    description = DELEGATE_TOOL.description + "\nAgents you can delegate to:\n" + "\n".join(lines)
    return AITool(name=DELEGATE_TOOL_NAME, description=description, parameters=parameters)


class Delegator(Protocol):
    """What :class:`DelegateHandler` needs of the kit (``RoomKit`` is one)."""

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
        """Start ``task`` for ``agent_id`` in a child room of ``room_id``."""
        ...


class DelegateHandler:
    """Turns ``delegate_task`` tool calls into ``kit.delegate(...)`` calls.

    ``notify`` names the channel told about the result (default: the agent that called the
    tool); ``default_share_channels`` are shared with every child room when the call names
    none.
    """

    def __init__(
        self,
        kit: Delegator,
        *,
        notify: str | None = None,
        default_share_channels: list[str] | None = None,
    ) -> None:
        self.kit = kit
        self.notify = notify
        self.default_share_channels = list(default_share_channels or [])

    async def handle(
        self, room_id: str, calling_agent_id: str, arguments: dict[str, Any]
    ) -> dict[str, Any]:
        """Run one tool call made by ``calling_agent_id`` in ``room_id``.

        Returns ``{"status": "delegated", "task_id", "child_room_id", "agent_id"}``, or
        ``{"error": ...}`` for the model to read when the call is malformed or the kit refuses
        it (unknown agent, channel not in the room ...).
        """
        agent = arguments.get("agent")
        task = arguments.get("task")
        if not isinstance(agent, str) or not agent.strip():
            return {"error": "delegate_task needs 'agent': the id of the agent to delegate to"}
        if not isinstance(task, str) or not task.strip():
            return {"error": "delegate_task needs 'task': what the agent should do"}
        context = arguments.get("context")
        if context is not None and not isinstance(context, dict):
            return {"error": "'context' must be an object"}
        shared = arguments.get("share_channels")
        if shared is None:
            shared = self.default_share_channels
        if not isinstance(shared, list) or not all(isinstance(c, str) for c in shared):
            return {"error": "'share_channels' must be a list of channel ids"}
        try:
            handle = await self.kit.delegate(
                room_id,
                agent.strip(),
                task.strip(),
                context=context,
                share_channels=shared or None,
                notify=self.notify or calling_agent_id,
            )
        except RoomKitError as exc:
            return {"error": str(exc)}
        return {
            "status": "delegated",
            "task_id": handle.id,
            "child_room_id": handle.child_room_id,
            "agent_id": handle.agent_id,
        }


def setup_delegation(
    channel: AIChannel, handler: DelegateHandler, *, tool: AITool | None = None
) -> None:
    """Offer the delegate tool (``tool``, default :data:`DELEGATE_TOOL`) to ``channel`` and
    send its calls to ``handler``, with the room the channel is answering in."""
    offered = tool or DELEGATE_TOOL

    async def delegate_tool(name: str, arguments: dict[str, Any]) -> str:
        turn = get_tool_context()
        if turn is None:
            answer = {"error": "delegate_task can only be called during a turn in a room"}
        else:
            answer = await handler.handle(turn.room_id, turn.channel_id, arguments)
        return json.dumps(answer)

    channel.register_tool(offered, delegate_tool)
