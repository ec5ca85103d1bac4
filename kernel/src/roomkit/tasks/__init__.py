"""Delegation: an agent hands a sub-task to another agent, which works in a child room.

``kit.delegate(room_id, agent_id, task)`` returns a :class:`DelegatedTask`; a
:class:`TaskRunner` (default :class:`InMemoryTaskRunner`) runs it; the
``delegate_task`` tool (:func:`setup_delegation`) lets agents delegate by themselves.
"""

from roomkit.tasks.base import OnCompleteCallback, TaskRunner, run_delegated_task
from roomkit.tasks.delegate import (
    DELEGATE_TOOL,
    DelegateHandler,
    build_delegate_tool,
    setup_delegation,
)
from roomkit.tasks.memory import InMemoryTaskRunner
from roomkit.tasks.models import DelegatedTask, DelegatedTaskResult

__all__ = [
    "DELEGATE_TOOL",
    "DelegateHandler",
    "DelegatedTask",
    "DelegatedTaskResult",
    "InMemoryTaskRunner",
    "OnCompleteCallback",
    "TaskRunner",
    "build_delegate_tool",
    "run_delegated_task",
    "setup_delegation",
]
