"""A scriptable identity resolver for tests and demos."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from roomkit.identity.base import IdentityResolver
from roomkit.models.context import RoomContext
from roomkit.models.enums import IdentificationStatus
from roomkit.models.event import InboundMessage
from roomkit.models.participant import Identity, IdentityResult

__all__ = ["MockIdentityResolver"]


class MockIdentityResolver(IdentityResolver):
    """Resolves senders from a fixed table.

    ``identities`` maps a sender id to one :class:`Identity` (IDENTIFIED) or to a list of
    candidates (AMBIGUOUS when there are several); unknown senders are UNKNOWN. ``delay``
    makes each call sleep (to exercise timeouts); ``error`` makes each call raise it.
    ``calls`` records the messages seen.
    """

    def __init__(
        self,
        identities: Mapping[str, Identity | Sequence[Identity]] | None = None,
        *,
        delay: float = 0.0,
        error: Exception | None = None,
    ) -> None:
        self.identities = dict(identities or {})
        self.delay = delay
        self.error = error
        self.calls: list[InboundMessage] = []

    async def resolve(self, message: InboundMessage, context: RoomContext) -> IdentityResult:
        self.calls.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        found = self.identities.get(message.sender_id)
        if found is None:
            return IdentityResult(status=IdentificationStatus.UNKNOWN, address=message.sender_id)
        if isinstance(found, Identity):
            return IdentityResult(
                status=IdentificationStatus.IDENTIFIED, identity=found, address=message.sender_id
            )
        candidates = list(found)
        if len(candidates) == 1:
            return IdentityResult(
                status=IdentificationStatus.IDENTIFIED,
                identity=candidates[0],
                address=message.sender_id,
            )
        return IdentityResult(
            status=IdentificationStatus.AMBIGUOUS,
            candidates=candidates,
            address=message.sender_id,
        )
