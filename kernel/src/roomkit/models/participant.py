"""People and systems in rooms, the identities behind them, and resolution results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from roomkit.models._ids import new_id, utcnow
from roomkit.models.enums import ChannelType, IdentificationStatus, ParticipantRole

__all__ = ["Identity", "IdentityResult", "Participant"]


class Identity(BaseModel):
    """A known person or system, with the addresses it is reachable at on each channel type."""

    id: str = Field(default_factory=new_id)
    display_name: str | None = None
    organization_id: str | None = None
    email: str | None = None
    phone: str | None = None
    channel_addresses: dict[str, list[str]] = Field(default_factory=dict)
    external_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class IdentityResult(BaseModel):
    """What an identity resolver concluded about an inbound sender."""

    status: IdentificationStatus
    identity: Identity | None = None
    candidates: list[Identity] = Field(default_factory=list)
    address: str | None = None
    channel_type: ChannelType | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class Participant(BaseModel):
    """A sender or recipient in a room, possibly linked to an identity."""

    id: str
    room_id: str
    channel_id: str
    display_name: str | None = None
    role: ParticipantRole = ParticipantRole.MEMBER
    identity_id: str | None = None
    identification: IdentificationStatus = IdentificationStatus.PENDING
    joined_at: datetime = Field(default_factory=utcnow)
    metadata: dict[str, Any] = Field(default_factory=dict)
