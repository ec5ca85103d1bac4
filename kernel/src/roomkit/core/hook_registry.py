"""The hook tables: registering, replacing and removing hooks, global or of one room.

:class:`HookRegistry` owns the tables of sync and async hooks by trigger (global, and per room)
and answers which hooks a trigger has; :class:`~roomkit.core.hooks.HookEngine` extends it to
run them. Sync hooks of a trigger are kept in order: lowest ``priority`` first, then
registration order.

The hooks a trigger runs in a room are a :class:`HookList` the engine reads per message as it
is: the tables hold one per trigger, and a room with hooks of its own gets its merged list built
once and kept until the next registration or removal (every change replaces lists, never
mutates one, and clears the merged ones).
"""

from __future__ import annotations

from collections.abc import Iterable

from roomkit.errors import ConfigurationError
from roomkit.models.context import RoomContext
from roomkit.models.enums import ChannelDirection, ChannelType, HookExecution, HookTrigger
from roomkit.models.hooks import HookFn, HookRegistration

__all__ = ["HookList", "HookRegistry", "default_execution", "hook_registration"]

_SYNC_BY_DEFAULT = frozenset({HookTrigger.BEFORE_BROADCAST, HookTrigger.BEFORE_TTS})


class HookList(list[HookRegistration]):
    """The hooks of one trigger in the order they run, never changed once made.

    ``filtered`` tells whether any of them has a channel filter (read at registration: a
    registration's filters are not to be changed afterwards), so a run of unfiltered hooks
    tests nothing per hook.
    """

    __slots__ = ("filtered",)

    def __init__(self, hooks: Iterable[HookRegistration] = ()) -> None:
        super().__init__(hooks)
        self.filtered = any(reg.filtered for reg in self)


_NONE = HookList()

#: The sync and async hook tables of one room (trigger -> hooks in order).
_Table = dict[HookTrigger, HookList]
_Tables = tuple[_Table, _Table]


def _order(reg: HookRegistration) -> tuple[int, int]:
    return reg.priority, reg.seq


def _remove(
    tables: tuple[_Table, ...],
    trigger: HookTrigger | None,
    name: str,
) -> bool:
    """Remove the hooks called ``name`` (of ``trigger`` only, when given) from ``tables``."""
    removed = False
    for table in tables:
        for key in list(table):
            if trigger is not None and key != trigger:
                continue
            kept = HookList(r for r in table[key] if r.name != name)
            if len(kept) != len(table[key]):
                removed = True
                if kept:
                    table[key] = kept
                else:
                    del table[key]
    return removed


def hook_registration(
    trigger: HookTrigger,
    fn: HookFn,
    execution: HookExecution | None,
    name: str | None,
    priority: int,
    timeout: float | None,
    channel_types: Iterable[ChannelType] | None,
    channel_ids: Iterable[str] | None,
    directions: Iterable[ChannelDirection] | None,
) -> HookRegistration:
    """A registration from ``add_hook``-style arguments (the execution defaults by trigger)."""
    try:
        trigger = HookTrigger(trigger)
    except ValueError:
        raise ConfigurationError(
            f"unknown hook trigger {str(trigger)[:80]!r}; use a roomkit.HookTrigger member"
        ) from None
    return HookRegistration(
        trigger=trigger,
        execution=HookExecution(execution) if execution else default_execution(trigger),
        fn=fn,
        priority=priority,
        name=name or "",
        timeout=timeout,
        channel_types=None if channel_types is None else frozenset(channel_types),
        channel_ids=None if channel_ids is None else frozenset(channel_ids),
        directions=None if directions is None else frozenset(directions),
    )


def default_execution(trigger: HookTrigger) -> HookExecution:
    """SYNC for triggers that can change what happens next (BEFORE_BROADCAST, BEFORE_TTS)."""
    return HookExecution.SYNC if trigger in _SYNC_BY_DEFAULT else HookExecution.ASYNC


class HookRegistry:
    """The hooks of one kit, global and per room (see the module docstring).

    Hooks are global (every room) or room hooks (:meth:`add_room_hook`: one room only); a
    room's hooks run interleaved with the global ones, by priority then registration order.
    """

    def __init__(self) -> None:
        self._sync: _Table = {}
        self._async: _Table = {}
        #: Room hooks: room id -> the same two tables.
        self._rooms: dict[str, _Tables] = {}
        #: A room's hooks merged with the global ones: (sync 0 / async 1, trigger, room id).
        self._merged: dict[tuple[int, HookTrigger, str], HookList] = {}
        #: Triggers with any sync / async hook, global or of a room (what ``has`` reads).
        self._any_sync: set[HookTrigger] = set()
        self._any_async: set[HookTrigger] = set()
        self._seq = 0

    def register(self, hook: HookRegistration) -> HookRegistration:
        """Add a global hook. A hook given the same ``name`` on the same trigger is replaced;
        an empty name becomes the function's name (made unique)."""
        return self._insert(self._sync, self._async, self._checked(hook, self.registrations()))

    def add_room_hook(self, room_id: str, hook: HookRegistration) -> HookRegistration:
        """Add a hook that runs for the room ``room_id`` only (replacing a hook of that room
        with the same name and trigger). Room hooks are forgotten with their room
        (:meth:`forget_room`, when it is closed or deleted)."""
        if not isinstance(room_id, str) or not room_id:
            raise ConfigurationError("add_room_hook needs the id of a room")
        tables = self._rooms.get(room_id)
        if tables is None:
            tables = self._rooms[room_id] = ({}, {})
        hook = self._checked(hook, [r for t in tables for hooks in t.values() for r in hooks])
        return self._insert(tables[0], tables[1], hook)

    def remove_room_hook(self, room_id: str, name: str) -> bool:
        """Remove the hooks called ``name`` of the room ``room_id``; ``False`` if none."""
        tables = self._rooms.get(room_id)
        if tables is None:
            return False
        removed = _remove(tables, None, name)
        if not (tables[0] or tables[1]):
            del self._rooms[room_id]
        self._reindex()
        return removed

    def forget_room(self, room_id: str) -> None:
        """Drop every hook of the room ``room_id``."""
        if self._rooms.pop(room_id, None) is not None:
            self._reindex()

    def room_hooks(self, room_id: str) -> list[HookRegistration]:
        """The hooks of the room ``room_id``, sync ones first."""
        tables = self._rooms.get(room_id)
        if tables is None:
            return []
        return [r for table in tables for hooks in table.values() for r in hooks]

    def _checked(self, hook: HookRegistration, taken: list[HookRegistration]) -> HookRegistration:
        if not isinstance(hook, HookRegistration):
            raise ConfigurationError(
                f"expected a HookRegistration, got {type(hook).__name__}; "
                "use kit.add_hook(trigger, fn) to register a function"
            )
        if not callable(hook.fn):
            raise ConfigurationError(
                "a hook must be an async callable taking (payload, ctx), "
                f"got {type(hook.fn).__name__}"
            )
        if hook.timeout is not None and hook.timeout <= 0:
            raise ConfigurationError("hook timeout must be positive (or None for the default)")
        try:
            hook.trigger = HookTrigger(hook.trigger)
            hook.execution = HookExecution(hook.execution)
        except ValueError as exc:
            raise ConfigurationError(
                f"{exc}; use roomkit.HookTrigger and roomkit.HookExecution members"
            ) from None
        if not hook.name:  # derived names never replace another hook
            name = getattr(hook.fn, "__name__", None) or "hook"
            if name in {r.name for r in taken if r.trigger == hook.trigger}:
                name = f"{name}-{self._seq + 1}"
            hook.name = name
        return hook

    def _insert(self, sync: _Table, async_: _Table, hook: HookRegistration) -> HookRegistration:
        _remove((sync, async_), hook.trigger, hook.name)
        self._seq += 1
        hook.seq = self._seq
        table = sync if hook.execution == HookExecution.SYNC else async_
        table[hook.trigger] = HookList(sorted([*table.get(hook.trigger, ()), hook], key=_order))
        self._reindex()
        return hook

    def _reindex(self) -> None:
        self._merged.clear()
        self._any_sync = set(self._sync)
        self._any_async = set(self._async)
        for sync, async_ in self._rooms.values():
            self._any_sync.update(sync)
            self._any_async.update(async_)

    def add(
        self,
        trigger: HookTrigger,
        fn: HookFn,
        *,
        execution: HookExecution | None = None,
        name: str | None = None,
        priority: int = 0,
        timeout: float | None = None,
        channel_types: Iterable[ChannelType] | None = None,
        channel_ids: Iterable[str] | None = None,
        directions: Iterable[ChannelDirection] | None = None,
    ) -> HookRegistration:
        """Register ``fn`` for ``trigger``; see :class:`HookRegistration` for the filters."""
        return self.register(
            hook_registration(
                trigger,
                fn,
                execution,
                name,
                priority,
                timeout,
                channel_types,
                channel_ids,
                directions,
            )
        )

    def remove(self, name: str, trigger: HookTrigger | None = None) -> bool:
        """Unregister global hooks called ``name`` (on ``trigger`` only, when given)."""
        removed = _remove((self._sync, self._async), trigger, name)
        self._reindex()
        return removed

    def registrations(self, trigger: HookTrigger | None = None) -> list[HookRegistration]:
        """Registered global hooks (of one trigger, when given), sync ones first."""
        found: list[HookRegistration] = []
        for table in (self._sync, self._async):
            for key, hooks in table.items():
                if trigger is None or key == trigger:
                    found.extend(hooks)
        return found

    def has(self, trigger: HookTrigger) -> bool:
        """Whether any hook (global or of some room) listens to ``trigger``."""
        return trigger in self._any_sync or trigger in self._any_async

    def has_sync(self, trigger: HookTrigger) -> bool:
        """Whether any sync hook listens to ``trigger``."""
        return trigger in self._any_sync

    def has_async(self, trigger: HookTrigger) -> bool:
        """Whether any async hook listens to ``trigger``."""
        return trigger in self._any_async

    def _hooks(self, index: int, trigger: HookTrigger, ctx: RoomContext) -> HookList:
        """The sync (``index`` 0) or async (1) hooks of ``trigger`` for the room of ``ctx``,
        in order."""
        hooks = (self._sync, self._async)[index].get(trigger, _NONE)
        if self._rooms:
            room_id = ctx.room.id
            tables = self._rooms.get(room_id)
            if tables is not None:
                mine = tables[index].get(trigger)
                if mine:
                    key = (index, trigger, room_id)
                    merged = self._merged.get(key)
                    if merged is None:
                        merged = self._merged[key] = HookList(sorted([*hooks, *mine], key=_order))
                    return merged
        return hooks
