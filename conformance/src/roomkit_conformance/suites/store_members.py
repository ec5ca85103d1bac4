"""Conformance checks of the :class:`~roomkit.store.contracts.MemberStore` piece."""

from __future__ import annotations

import pytest

from roomkit.errors import RoomKitError, RoomNotFoundError
from roomkit.models.enums import ChannelDirection
from roomkit.models.participant import Identity, Participant
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites._store_support import new_event, new_room

__all__ = ["MemberStoreChecks"]


class MemberStoreChecks(SuiteBase):
    """Participants of rooms, identities and their addresses."""

    @pytest.mark.asyncio
    async def test_participants(self, component: ConversationStore) -> None:
        room = await new_room(component)
        await component.add_participant(Participant(id="u1", room_id=room.id, channel_id="sms"))
        await component.add_participant(Participant(id="u2", room_id=room.id, channel_id="ws"))
        assert [p.id for p in await component.list_participants(room.id)] == ["u1", "u2"]
        await component.update_participant(
            Participant(id="u1", room_id=room.id, channel_id="sms", display_name="Ann")
        )
        loaded = await component.get_participant(room.id, "u1")
        assert loaded is not None
        assert loaded.display_name == "Ann"
        assert await component.get_participant(room.id, "u3") is None
        with pytest.raises(RoomNotFoundError):
            await component.add_participant(Participant(id="u1", room_id="gone", channel_id="s"))

    @pytest.mark.asyncio
    async def test_identities_resolve_by_address(self, component: ConversationStore) -> None:
        identity = Identity(
            display_name="Ann",
            channel_addresses={"sms": ["+15550001"], "email": ["ann@example.com"]},
        )
        await component.create_identity(identity)
        loaded = await component.get_identity(identity.id)
        assert loaded is not None
        assert loaded.display_name == "Ann"
        resolved = await component.resolve_identity("sms", "+15550001")
        assert resolved is not None
        assert resolved.id == identity.id
        assert await component.resolve_identity("sms", "+19999999") is None
        assert await component.resolve_identity("whatsapp", "+15550001") is None
        assert await component.get_identity("missing") is None

        linked = await component.link_address(identity.id, "whatsapp", "+15550001")
        assert "+15550001" in linked.channel_addresses["whatsapp"]
        resolved_wa = await component.resolve_identity("whatsapp", "+15550001")
        assert resolved_wa is not None
        assert resolved_wa.id == identity.id
        again = await component.link_address(identity.id, "whatsapp", "+15550001")
        assert again.channel_addresses["whatsapp"].count("+15550001") == 1

    @pytest.mark.asyncio
    async def test_link_address_to_missing_identity_raises(
        self, component: ConversationStore
    ) -> None:
        with pytest.raises(RoomKitError):
            await component.link_address("missing", "sms", "+1555")

    @pytest.mark.asyncio
    async def test_an_inbound_sender_joins_with_their_event(
        self, component: ConversationStore
    ) -> None:
        r = await new_room(component)
        first = await component.add_event(new_event(r.id, sender="ann", channel_id="ws"))
        joined = await component.get_participant(r.id, "ann")
        assert joined is not None
        assert (joined.id, joined.room_id, joined.channel_id) == ("ann", r.id, "ws")
        assert joined.joined_at == first.created_at
        await component.update_participant(joined.model_copy(update={"display_name": "Ann"}))
        await component.add_event(new_event(r.id, sender="ann", channel_id="ws"))  # already in
        kept = await component.get_participant(r.id, "ann")
        assert kept is not None
        assert kept.display_name == "Ann"
        await component.add_event(
            new_event(r.id, sender="bot", channel_id="ai", direction=ChannelDirection.OUTBOUND)
        )
        await component.add_event(new_event(r.id, sender=None))
        assert [p.id for p in await component.list_participants(r.id)] == ["ann"]

    @pytest.mark.asyncio
    async def test_update_participant_adds_a_missing_one(
        self, component: ConversationStore
    ) -> None:
        r = await new_room(component)
        await component.update_participant(Participant(id="u9", room_id=r.id, channel_id="c"))
        assert [p.id for p in await component.list_participants(r.id)] == ["u9"]
