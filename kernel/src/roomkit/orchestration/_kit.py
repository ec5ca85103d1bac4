"""The few things AI channels and orchestration need from a running kit, in one place.

Channels receive the kit through ``attach_kit(kit)`` (called by ``RoomKit.register_channel``).
Everything here tolerates a missing kit so channels stay usable on their own in tests.
"""

from __future__ import annotations

import logging
from typing import Any

from roomkit.models.context import RoomContext
from roomkit.models.enums import HookTrigger
from roomkit.models.event import EphemeralEvent, RoomEvent
from roomkit.store.base import ConversationStore

__all__ = ["fire_hook", "get_channel", "get_store", "publish_ephemeral", "report_error"]

logger = logging.getLogger("roomkit.orchestration")


def get_store(kit: Any) -> ConversationStore | None:
    """The kit's conversation store."""
    store = getattr(kit, "store", None)
    return store if isinstance(store, ConversationStore) else None


def get_channel(kit: Any, channel_id: str) -> Any:
    """The channel registered under ``channel_id`` (``None`` when unknown)."""
    if kit is None:
        return None
    getter = getattr(kit, "get_channel", None)
    if callable(getter):
        try:
            return getter(channel_id)
        except LookupError:
            return None
        except Exception:
            return None
    channels = getattr(kit, "channels", None) or getattr(kit, "_channels", None)
    if isinstance(channels, dict):
        return channels.get(channel_id)
    return None


async def publish_ephemeral(kit: Any, event: EphemeralEvent) -> None:
    """Publish ``event`` on the room's realtime channel; failures are logged, never raised."""
    if kit is None:
        return
    try:
        publish = getattr(kit, "publish_ephemeral", None)
        if callable(publish):
            await publish(event)
            return
        realtime = getattr(kit, "realtime", None)
        if realtime is not None:
            await realtime.publish(f"room:{event.room_id}", event)
    except Exception:
        logger.exception("publishing %s for room %s failed", event.type, event.room_id)


async def fire_hook(kit: Any, trigger: HookTrigger, event: RoomEvent, context: RoomContext) -> None:
    """Run the kit's hooks for ``trigger``; a failing hook is logged, never raised."""
    if kit is None:
        return
    try:
        fire = getattr(kit, "_fire", None) or getattr(kit, "fire_hook", None)
        if callable(fire):
            await fire(trigger, event, context)
            return
        hooks = getattr(kit, "_hooks", None) or getattr(kit, "hooks", None)
        run = getattr(hooks, "fire", None)
        if callable(run):
            await run(trigger, event, context)
    except Exception:
        logger.exception("hooks for %s failed in room %s", trigger, event.room_id)


async def report_error(
    kit: Any, exc: BaseException, event: RoomEvent, context: RoomContext, *, where: str
) -> None:
    """Log ``exc`` and run ON_ERROR hooks with ``event`` (the event being answered).

    With a RoomKit engine this goes through the engine's own error reporting (telemetry,
    ON_ERROR context metadata ``error``, ``error_type``, ``message``, ``stage``).
    """
    if kit is not None and getattr(kit, "_hooks", None) is not None:
        from roomkit.core.context import report_error as engine_report

        try:
            await engine_report(kit, where, exc, event, context)
        except Exception:
            logger.exception("reporting an error of %s failed", where)
        return
    logger.warning("%s failed in room %s: %s: %s", where, event.room_id, type(exc).__name__, exc)
    failed = event.model_copy(
        update={
            "metadata": {
                **event.metadata,
                "error": str(exc),
                "error_type": type(exc).__name__,
                "error_source": where,
            }
        }
    )
    await fire_hook(kit, HookTrigger.ON_ERROR, failed, context)
