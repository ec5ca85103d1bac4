"""Participants and read state: adding a participant by hand, resolving a pending one to an
identity, and marking how far a channel has read a room."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from roomkit.core._text import short_id
from roomkit.core.context import system_event
from roomkit.core.locks import room_lock
from roomkit.errors import IdentityNotFoundError, ParticipantNotFoundError
from roomkit.models._ids import utcnow
from roomkit.models.enums import EventType, HookTrigger, IdentificationStatus
from roomkit.models.participant import Participant

if TYPE_CHECKING:
    from roomkit.core.framework import RoomKit

__all__ = ["ParticipantApiMixin"]


class ParticipantApiMixin:
    """``ensure_participant``, ``resolve_participant``, ``mark_read`` and ``mark_all_read`` of
    :class:`~roomkit.core.framework.RoomKit`."""

    async def ensure_participant(
        self,
        room_id: str,
        channel_id: str,
        participant_id: str,
        display_name: str | None = None,
    ) -> Participant:
        """The participant ``participant_id`` of the room, added (joining through
        ``channel_id``) when it is not one yet. An existing participant is returned as it is.
        Raises :class:`~roomkit.errors.RoomNotFoundError` for a missing room."""
        kit = self._kit()
        await kit.get_room(room_id)
        store = kit.store
        existing = await store.get_participant(room_id, participant_id)
        if existing is not None:
            return existing
        participant = Participant(
            id=participant_id,
            room_id=room_id,
            channel_id=channel_id,
            display_name=display_name,
            connected_via=[channel_id],
        )
        return await store.add_participant(participant)

    async def resolve_participant(
        self,
        room_id: str,
        participant_id: str,
        identity_id: str,
        resolved_by: str = "manual",
    ) -> Participant:
        """Identify a pending (or ambiguous, unknown, challenged) participant as the stored
        identity ``identity_id``, e.g. after an advisor checked who it is.

        The participant becomes IDENTIFIED (with the identity's display name, ``resolved_at``
        and ``resolved_by``), a PARTICIPANT_IDENTIFIED system event is stored in the room
        (visibility ``"none"``: not sent to any channel) and ON_PARTICIPANT_IDENTIFIED hooks
        fire with it. Raises :class:`~roomkit.errors.ParticipantNotFoundError` or
        :class:`~roomkit.errors.IdentityNotFoundError`.
        """
        kit = self._kit()
        room = await kit.get_room(room_id)
        store = kit.store
        participant = await store.get_participant(room_id, participant_id)
        if participant is None:
            raise ParticipantNotFoundError(
                f"participant {short_id(participant_id)} is not in room {short_id(room_id)}"
            )
        identity = await store.get_identity(identity_id)
        if identity is None:
            raise IdentityNotFoundError(
                f"identity {short_id(identity_id)} does not exist; create it first "
                "(store.create_identity)"
            )
        participant = participant.model_copy(
            update={
                "identity_id": identity.id,
                "identification": IdentificationStatus.IDENTIFIED,
                "display_name": identity.display_name or participant.display_name,
                "resolved_at": utcnow(),
                "resolved_by": resolved_by,
                "candidates": None,
            }
        )
        rt = kit._rt
        name = identity.display_name or identity.id
        event = system_event(
            room_id,
            "participant_identified",
            f"participant {participant_id} identified as {name}",
            event_type=EventType.PARTICIPANT_IDENTIFIED,
            data={"participant_id": participant_id, "identity_id": identity.id},
        )
        event.visibility = "none"
        async with room_lock(rt.lock_manager, room_id, rt.lock_timeout):
            participant = await store.update_participant(participant)
            event = await store.add_event(event)
        hooks = rt.hooks
        if hooks.has(HookTrigger.ON_PARTICIPANT_IDENTIFIED):
            ctx = await kit.build_context(room.id)
            ctx.metadata["participant"] = participant
            await hooks.fire(HookTrigger.ON_PARTICIPANT_IDENTIFIED, event, ctx)
        return participant

    async def mark_read(self, room_id: str, channel_id: str, event_id: str) -> None:
        """Record that ``channel_id`` has read the room up to the event ``event_id``
        (``get_unread_count`` then counts the events after it; the binding's
        ``last_read_index`` is set to its index)."""
        kit = self._kit()
        binding = await kit.get_binding(room_id, channel_id)
        await kit.store.mark_read(room_id, channel_id, event_id)
        event = await kit.store.get_event(event_id)
        if event is not None and binding.last_read_index != event.index:
            await kit.store.update_binding(
                binding.model_copy(update={"last_read_index": event.index})
            )

    async def mark_all_read(self, room_id: str, channel_id: str) -> None:
        """Record that ``channel_id`` has read every event of the room so far."""
        kit = self._kit()
        rt = kit._rt
        binding = await kit.get_binding(room_id, channel_id)
        async with room_lock(rt.lock_manager, room_id, rt.lock_timeout):  # no event in between
            await kit.store.mark_all_read(room_id, channel_id)
            latest = await kit.store.get_recent_events(room_id, 1)
        index = latest[-1].index if latest else None
        if binding.last_read_index != index:
            await kit.store.update_binding(binding.model_copy(update={"last_read_index": index}))

    def _kit(self) -> RoomKit:
        return cast("RoomKit", self)  # this mixin is only ever part of RoomKit
