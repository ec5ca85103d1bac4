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


async def test_roomkit_067_call_shape() -> None:
    ann, bob = Identity(id="ann"), Identity(id="bob")
    resolver = MockIdentityResolver(
        mapping={"u1": ann, "both": ann},
        ambiguous={"u2": [ann, bob], "both": [bob]},
        unknown_status=IdentificationStatus.PENDING,
    )
    ctx = RoomContext(room=Room())
    first = await resolver.resolve(_msg("u1"), ctx)
    assert (first.status, first.identity) == (IdentificationStatus.IDENTIFIED, ann)
    second = await resolver.resolve(_msg("u2"), ctx)
    assert second.status == IdentificationStatus.AMBIGUOUS
    assert [c.id for c in second.candidates] == ["ann", "bob"]
    assert (await resolver.resolve(_msg("both"), ctx)).identity == ann  # mapping wins
    unknown = await resolver.resolve(_msg("zz"), ctx)
    assert (unknown.status, unknown.identity) == (IdentificationStatus.PENDING, None)
    assert resolver.identities is resolver.mapping
    with pytest.raises(ValueError):
        MockIdentityResolver(unknown_status="nonsense")  # type: ignore[arg-type]
