"""The realtime backend contract: fan-out of ephemeral events to subscribers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from roomkit.models.event import EphemeralEvent

__all__ = ["EphemeralCallback", "RealtimeBackend"]

EphemeralCallback = Callable[[EphemeralEvent], Awaitable[None]]
"""An async function that receives published ephemeral events."""


class RealtimeBackend(ABC):
    """Publishes ephemeral events on named channels (``room:<room_id>``) to subscribers.

    Every subscriber of a channel receives every event published on it after it subscribed,
    in publication order; a callback that raises does not affect other subscribers. Backends
    shared between processes (Redis, Postgres) deliver to subscribers in every process.
    """

    @abstractmethod
    async def publish(self, channel: str, event: EphemeralEvent) -> None:
        """Send ``event`` to the subscribers of ``channel``."""

    @abstractmethod
    async def subscribe(self, channel: str, callback: EphemeralCallback) -> str:
        """Register ``callback`` for ``channel``; returns a subscription id."""

    @abstractmethod
    async def unsubscribe(self, subscription_id: str) -> bool:
        """Stop a subscription; ``False`` if it was unknown."""

    async def flush(self, timeout: float | None = 5.0) -> None:  # noqa: B027 - optional hook
        """Wait until the events published so far in this process have reached their
        callbacks (``RoomKit.drain`` calls it). Backends that hand events to a server return
        at once (the default)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Stop background tasks and close connections."""
