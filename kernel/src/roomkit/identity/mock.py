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
    """Resolves senders from fixed tables.

    ``mapping`` maps a sender id to one :class:`Identity` (IDENTIFIED), or to a list of
    candidates (AMBIGUOUS when there are several, IDENTIFIED when there is one).
    ``ambiguous`` maps a sender id to its candidates (AMBIGUOUS), as RoomKit 0.6.7's mock
    does; ``mapping`` wins for a sender in both. Other senders get ``unknown_status``
    (UNKNOWN by default). ``delay`` makes each call sleep (to exercise timeouts); ``error``
    makes each call raise it. ``calls`` records the messages seen.
    """

    def __init__(
        self,
        mapping: Mapping[str, Identity | Sequence[Identity]] | None = None,
        ambiguous: Mapping[str, Sequence[Identity]] | None = None,
        unknown_status: IdentificationStatus = IdentificationStatus.UNKNOWN,
        *,
        delay: float = 0.0,
        error: Exception | None = None,
    ) -> None:
        self.mapping: dict[str, Identity | Sequence[Identity]] = dict(mapping or {})
        self.ambiguous = {sender: list(c) for sender, c in (ambiguous or {}).items()}
        self.unknown_status = IdentificationStatus(unknown_status)
        self.delay = delay
        self.error = error
        self.calls: list[InboundMessage] = []

    @property
    def identities(self) -> dict[str, Identity | Sequence[Identity]]:
        """Same as :attr:`mapping`."""
        return self.mapping

    async def resolve(self, message: InboundMessage, context: RoomContext) -> IdentityResult:
        self.calls.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        address = message.sender_id
        found = self.mapping.get(address)
        if found is None and address in self.ambiguous:
            return IdentityResult(
                status=IdentificationStatus.AMBIGUOUS,
                candidates=list(self.ambiguous[address]),
                address=address,
            )
        if found is None:
            return IdentityResult(status=self.unknown_status, address=address)
        candidates = [found] if isinstance(found, Identity) else list(found)
        if len(candidates) == 1:
            return IdentityResult(
                status=IdentificationStatus.IDENTIFIED, identity=candidates[0], address=address
            )
        return IdentityResult(
            status=IdentificationStatus.AMBIGUOUS, candidates=candidates, address=address
        )
