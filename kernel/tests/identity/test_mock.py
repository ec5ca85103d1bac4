"""MockIdentityResolver: the identity conformance suite plus its scripting."""

from __future__ import annotations

import pytest

from roomkit import (
    IdentificationStatus,
    Identity,
    InboundMessage,
    MockIdentityResolver,
    Room,
    RoomContext,
    TextContent,
)
from roomkit_conformance.builtins import mock_identity_resolver
from roomkit_conformance.suites.identity import IdentityHarness, IdentityResolverSuite


class TestMockIdentityConformance(IdentityResolverSuite):
    @pytest.fixture
    def component(self) -> IdentityHarness:
        return mock_identity_resolver()


def _msg(sender: str) -> InboundMessage:
    return InboundMessage(channel_id="c", sender_id=sender, content=TextContent(body="x"))


async def test_statuses() -> None:
    ada = Identity(id="ada")
    resolver = MockIdentityResolver({"a": ada, "twins": [Identity(id="1"), Identity(id="2")]})
    ctx = RoomContext(room=Room())
    assert (await resolver.resolve(_msg("a"), ctx)).identity is ada
    ambiguous = await resolver.resolve(_msg("twins"), ctx)
    assert ambiguous.status == IdentificationStatus.AMBIGUOUS
    assert len(ambiguous.candidates) == 2
    assert (await resolver.resolve(_msg("?"), ctx)).status == IdentificationStatus.UNKNOWN
    assert [m.sender_id for m in resolver.calls] == ["a", "twins", "?"]


async def test_error_mode() -> None:
    resolver = MockIdentityResolver(error=RuntimeError("directory down"))
    with pytest.raises(RuntimeError):
        await resolver.resolve(_msg("a"), RoomContext(room=Room()))
