"""People and systems in rooms, the identities behind them, and resolution results."""

from datetime import datetime
from typing import Any

from pydantic import Field

from roomkit.deferred import DeferredModel
from roomkit.models._ids import new_id, utcnow
from roomkit.models.enums import (
    ChannelType,
    IdentificationStatus,
    ParticipantRole,
    ParticipantStatus,
)

__all__ = ["Identity", "IdentityResult", "Participant"]


class Identity(DeferredModel):
    """A known person or system, with the addresses it is reachable at on each channel type."""

    id: str = Field(default_factory=new_id)
    display_name: str | None = None
    organization_id: str | None = None
    email: str | None = None
    phone: str | None = None
    channel_addresses: dict[str, list[str]] = Field(default_factory=dict)
    external_id: str | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)
    """Ids of this person in other systems, by system name (``{"crm": "C-42"}``)."""
    metadata: dict[str, Any] = Field(default_factory=dict)


class IdentityResult(DeferredModel):
    """What an identity resolver concluded about an inbound sender."""

    status: IdentificationStatus
    identity: Identity | None = None
    candidates: list[Identity] = Field(default_factory=list)
    address: str | None = None
    channel_type: ChannelType | None = None
    challenge_type: str | None = None
    """How the sender is asked to identify (``"otp"``, ``"email"`` ...) when a challenge is due."""
    message: str | None = None
    """A human-readable explanation (shown to an advisor, logged)."""
    metadata: dict[str, Any] = Field(default_factory=dict)


class Participant(DeferredModel):
    """A sender or recipient in a room, possibly linked to an identity.

    ``identification`` says how far identity resolution got; ``candidates`` holds the
    identity ids an ambiguous sender may be, ``resolved_at`` / ``resolved_by`` when and by
    whom (``"resolver"``, ``"hook"``, ``"manual"`` ...) the sender was identified.
    ``connected_via`` lists the channel ids the participant has used in the room.
    """

    id: str
    room_id: str
    channel_id: str
    display_name: str | None = None
    role: ParticipantRole = ParticipantRole.MEMBER
    status: ParticipantStatus = ParticipantStatus.ACTIVE
    identity_id: str | None = None
    identification: IdentificationStatus = IdentificationStatus.PENDING
    candidates: list[str] | None = None
    connected_via: list[str] = Field(default_factory=list)
    external_id: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    joined_at: datetime = Field(default_factory=utcnow)
    metadata: dict[str, Any] = Field(default_factory=dict)
