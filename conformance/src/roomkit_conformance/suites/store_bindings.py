"""Conformance checks of the :class:`~roomkit.store.contracts.BindingStore` piece."""

from __future__ import annotations

import pytest

from roomkit.errors import RoomNotFoundError
from roomkit.models.enums import ChannelType
from roomkit.models.room import ChannelBinding
from roomkit.store.base import ConversationStore
from roomkit_conformance.base import SuiteBase
from roomkit_conformance.suites._store_support import new_room

__all__ = ["BindingStoreChecks"]


class BindingStoreChecks(SuiteBase):
    """Bindings: attach, replace, update, detach, list in attachment order."""

    @pytest.mark.asyncio
    async def test_bindings(self, component: ConversationStore) -> None:
        room = await new_room(component)
        sms = ChannelBinding(room_id=room.id, channel_id="sms-1", channel_type=ChannelType.SMS)
        ai = ChannelBinding(room_id=room.id, channel_id="ai-1", channel_type=ChannelType.AI)
        await component.add_binding(sms)
        await component.add_binding(ai)
        assert [b.channel_id for b in await component.list_bindings(room.id)] == ["sms-1", "ai-1"]
        loaded = await component.get_binding(room.id, "sms-1")
        assert loaded is not None
        assert loaded.model_dump() == sms.model_dump()
        await component.update_binding(sms.model_copy(update={"muted": True}))
        muted = await component.get_binding(room.id, "sms-1")
        assert muted is not None
        assert muted.muted is True
        await component.add_binding(sms.model_copy(update={"visibility": "none"}))
        replaced = await component.list_bindings(room.id)
        assert len(replaced) == 2
        assert {b.channel_id: b.visibility for b in replaced}["sms-1"] == "none"
        assert await component.remove_binding(room.id, "sms-1") is True
        assert await component.remove_binding(room.id, "sms-1") is False
        assert await component.get_binding(room.id, "sms-1") is None
        assert [b.channel_id for b in await component.list_bindings(room.id)] == ["ai-1"]

    @pytest.mark.asyncio
    async def test_binding_to_missing_room_raises(self, component: ConversationStore) -> None:
        with pytest.raises(RoomNotFoundError):
            await component.add_binding(
                ChannelBinding(room_id="missing", channel_id="c", channel_type=ChannelType.SMS)
            )
