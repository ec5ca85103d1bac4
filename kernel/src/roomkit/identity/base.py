"""The identity resolver contract."""

from __future__ import annotations

from abc import ABC, abstractmethod

from roomkit.models.context import RoomContext
from roomkit.models.event import InboundMessage
from roomkit.models.participant import IdentityResult

__all__ = ["IdentityResolver"]


class IdentityResolver(ABC):
    """Decides who sent an inbound message: identified, ambiguous, or unknown."""

    @abstractmethod
    async def resolve(self, message: InboundMessage, context: RoomContext) -> IdentityResult:
        """Resolve the sender of ``message`` in the room of ``context``."""
