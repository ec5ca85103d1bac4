"""The running turns of an AI channel, and the directives that steer them.

Each turn the channel runs is an *active loop* with an id (the id of the event it answers).
``AIChannel.steer(directive, loop_id=None)`` queues a directive for one loop (the most
recently started by default). :class:`InjectMessage` and :class:`UpdateSystemPrompt` are
applied at the loop's next drain point, between two tool rounds. :class:`Cancel` does not
wait: it cancels the task running the turn, which stops the model or tool call in flight;
the channel catches that cancellation and ends the turn with what it has. A directive for no
active loop is logged and dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from functools import partial

from roomkit.errors import ConfigurationError
from roomkit.models.ai import AIContext, AIMessage
from roomkit.models.steering import Cancel, InjectMessage, SteeringDirective, UpdateSystemPrompt

__all__ = ["ActiveLoop", "ActiveLoops"]

logger = logging.getLogger("roomkit.channels.ai")

_MAX_QUEUED = 100
_DIRECTIVES = (InjectMessage, Cancel, UpdateSystemPrompt)


@dataclass(eq=False, slots=True)
class ActiveLoop:
    """One running turn: its queued directives and what it produced so far."""

    loop_id: str
    task: asyncio.Task[object] | None
    queue: deque[SteeringDirective] = field(default_factory=partial(deque, maxlen=_MAX_QUEUED))
    cancel_reason: str | None = None
    texts: list[str] = field(default_factory=list)
    rounds: int = 0
    absorbed: bool = False

    def drain(self, context: AIContext, messages: list[AIMessage]) -> AIContext:
        """Apply the queued directives: injected messages are appended to ``messages``; the
        returned context carries the extended system prompt."""
        while self.queue:
            directive = self.queue.popleft()
            if isinstance(directive, InjectMessage):
                messages.append(AIMessage(role=directive.role, content=directive.content))
            elif isinstance(directive, UpdateSystemPrompt):
                prompt = (context.system_prompt or "") + directive.append
                context = context.model_copy(update={"system_prompt": prompt})
        return context


class ActiveLoops:
    """The active loops of one AI channel, most recently started last."""

    def __init__(self) -> None:
        self._loops: dict[str, ActiveLoop] = {}

    def __len__(self) -> int:
        return len(self._loops)

    def ids(self) -> list[str]:
        """Ids of the running loops, oldest first."""
        return list(self._loops)

    def start(self, loop_id: str) -> ActiveLoop:
        """Register the turn running in the current task."""
        loop = ActiveLoop(loop_id, asyncio.current_task())
        self._loops.pop(loop_id, None)  # the same event answered again: the newest wins
        self._loops[loop_id] = loop
        return loop

    def end(self, loop: ActiveLoop) -> None:
        """Forget a finished turn (directives still queued are dropped)."""
        if self._loops.get(loop.loop_id) is loop:
            del self._loops[loop.loop_id]

    def steer(self, directive: SteeringDirective, loop_id: str | None, channel_id: str) -> bool:
        """Queue ``directive`` for ``loop_id`` (default: the newest loop); ``False`` when no
        such loop is running."""
        if not isinstance(directive, _DIRECTIVES):
            raise ConfigurationError(
                "steer() takes an InjectMessage, Cancel or UpdateSystemPrompt, got "
                f"{type(directive).__name__}"
            )
        if loop_id is None:
            loop = self._loops[next(reversed(self._loops))] if self._loops else None
        else:
            loop = self._loops.get(loop_id)
        if loop is None:
            logger.warning(
                "steer(%s) on %s: no active turn%s; dropped",
                directive.type,
                channel_id,
                f" with loop_id {loop_id!r}" if loop_id else "",
            )
            return False
        if isinstance(directive, Cancel):
            if loop.cancel_reason is None:
                loop.cancel_reason = directive.reason
                if loop.task is not None and not loop.task.done():
                    loop.task.cancel()
            return True
        if len(loop.queue) == loop.queue.maxlen:
            logger.warning("steering queue of %s is full; the oldest directive is dropped", loop_id)
        loop.queue.append(directive)
        return True

    @staticmethod
    def absorb_cancel(loop: ActiveLoop) -> bool:
        """Called where the turn catches ``CancelledError``: ``True`` when the cancellation
        came from a :class:`Cancel` directive (it is then withdrawn from the task, and the turn
        ends normally); ``False`` when someone else cancelled (propagate it)."""
        if loop.cancel_reason is None or loop.task is None or loop.absorbed:
            return False
        loop.absorbed = True
        return loop.task.uncancel() == 0

    @classmethod
    async def settle(cls, loop: ActiveLoop) -> None:
        """At the end of a turn: a :class:`Cancel` that arrived too late to interrupt anything
        must not cancel the engine's work after the turn; take it here."""
        if loop.cancel_reason is None or loop.absorbed:
            return
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            if not cls.absorb_cancel(loop):
                raise
