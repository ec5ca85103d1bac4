"""Changing the settings of rooms and bindings: metadata, access, visibility, muting.

Every binding change goes through :meth:`RoomAdminMixin.update_binding` (validated, the kit's
per-binding state forgotten, the channel told through
:meth:`~roomkit.channels.base.Channel.update_binding`). Metadata updates merge top-level keys
into what is stored, under the room's lock so that two updates do not lose each other's keys.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from roomkit.core._text import problems, short_id
from roomkit.core.locks import room_lock
from roomkit.errors import ConfigurationError, RoomNotFoundError
from roomkit.models._ids import utcnow
from roomkit.models.enums import Access, HookTrigger
from roomkit.models.room import ChannelBinding, Room

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit

__all__ = ["RoomAdminMixin"]

logger = logging.getLogger("roomkit")

_FROZEN = ("room_id", "channel_id")


class RoomAdminMixin:
    """``update_room_metadata``, ``update_binding`` and its shortcuts (``set_access``,
    ``set_visibility``, ``update_binding_metadata``, ``mute`` / ``unmute``) of
    :class:`~roomkit.core.framework.RoomKit`."""

    async def update_room_metadata(self, room_id: str, metadata: dict[str, Any]) -> Room:
        """Merge ``metadata`` into the room's metadata (top-level keys; existing keys not
        named stay) and store it; returns the updated room."""
        kit = self._kit()
        if not isinstance(metadata, dict):
            raise ConfigurationError(f"room metadata must be a dict, not {type(metadata).__name__}")
        rt = kit._rt
        async with room_lock(rt.lock_manager, room_id, rt.lock_timeout):
            room = await kit.get_room(room_id)
            try:
                updated = Room.model_validate(
                    {**room.model_dump(), "metadata": {**room.metadata, **metadata}}
                )
            except ValidationError as exc:
                raise ConfigurationError(f"invalid room metadata: {problems(exc)}") from None
            updated.updated_at = utcnow()
            return await rt.store.update_room(updated)

    async def update_binding(
        self, room_id: str, channel_id: str, /, **changes: Any
    ) -> ChannelBinding:
        """Change fields of a binding (validated), e.g. ``access=Access.READ_ONLY``; the
        channel is told (:meth:`~roomkit.channels.base.Channel.update_binding`)."""
        kit = self._kit()
        binding = await kit.get_binding(room_id, channel_id)
        for frozen in _FROZEN:
            if frozen in changes:
                raise ConfigurationError(f"{frozen} of a binding cannot change")
        try:
            updated = ChannelBinding.model_validate({**binding.model_dump(), **changes})
        except ValidationError as exc:
            raise ConfigurationError(
                f"invalid change to the binding of {short_id(channel_id)}: {problems(exc)}"
            ) from None
        kit._rt.forget_binding(room_id, channel_id)
        stored = await kit.store.update_binding(updated)
        await self._tell_channel(stored)
        return stored

    async def set_access(self, room_id: str, channel_id: str, access: Access) -> ChannelBinding:
        """Set what the channel may do in the room (read-write, read-only, write-only, none)."""
        return await self.update_binding(room_id, channel_id, access=access)

    async def set_visibility(
        self, room_id: str, channel_id: str, visibility: str
    ) -> ChannelBinding:
        """Set the default visibility of the events the channel posts in the room (``"all"``,
        ``"none"``, ``"transport"``, ``"intelligence"`` or comma-separated channel ids)."""
        if not isinstance(visibility, str) or not visibility.strip():
            raise ConfigurationError(
                "visibility must be 'all', 'none', 'transport', 'intelligence' or "
                "comma-separated channel ids"
            )
        return await self.update_binding(room_id, channel_id, visibility=visibility)

    async def update_binding_metadata(
        self, room_id: str, channel_id: str, metadata: dict[str, Any]
    ) -> ChannelBinding:
        """Merge ``metadata`` into the binding's metadata (top-level keys)."""
        if not isinstance(metadata, dict):
            raise ConfigurationError(
                f"binding metadata must be a dict, not {type(metadata).__name__}"
            )
        binding = await self._kit().get_binding(room_id, channel_id)
        return await self.update_binding(
            room_id, channel_id, metadata={**binding.metadata, **metadata}
        )

    async def mute(self, room_id: str, channel_id: str) -> ChannelBinding:
        """Mute a channel: its inbound messages are refused and, for intelligence channels,
        it is no longer asked to respond. It keeps receiving the room's events (transports).
        Fires ON_CHANNEL_MUTED."""
        return await self._set_muted(room_id, channel_id, True)

    async def unmute(self, room_id: str, channel_id: str) -> ChannelBinding:
        """Undo :meth:`mute`; fires ON_CHANNEL_UNMUTED."""
        return await self._set_muted(room_id, channel_id, False)

    mute_channel = mute
    unmute_channel = unmute

    async def _set_muted(self, room_id: str, channel_id: str, muted: bool) -> ChannelBinding:
        kit = self._kit()
        binding = await kit.get_binding(room_id, channel_id)
        if binding.muted == muted:
            return binding
        binding = await kit.store.update_binding(binding.model_copy(update={"muted": muted}))
        await self._tell_channel(binding)
        trigger = HookTrigger.ON_CHANNEL_MUTED if muted else HookTrigger.ON_CHANNEL_UNMUTED
        room = await kit.store.get_room(room_id)
        if room is None:
            raise RoomNotFoundError(f"room {short_id(room_id)} was deleted")
        body = "channel muted" if muted else "channel unmuted"
        await kit._lifecycle(room, trigger, body, binding)
        return binding

    async def _tell_channel(self, binding: ChannelBinding) -> None:
        channel = self._kit()._rt.channels.get(binding.channel_id)
        if channel is None:
            return
        try:
            channel.update_binding(binding.room_id, binding)
        except Exception:  # the change is stored: a channel failing to follow is logged
            logger.exception("channel %r failed to take its new binding", binding.channel_id)

    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)  # this mixin is only ever part of RoomKit
