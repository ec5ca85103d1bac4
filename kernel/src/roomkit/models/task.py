"""Side effects that hooks and agents produce: tasks to do and observations made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from roomkit.models._ids import new_id, utcnow
from roomkit.models.enums import TaskStatus

__all__ = ["Observation", "Task"]


class Task(BaseModel):
    """Work created from a conversation (a callback to schedule, a ticket to open ...)."""

    id: str = Field(default_factory=new_id)
    room_id: str
    title: str
    description: str | None = None
    status: TaskStatus = TaskStatus.PENDING
    assigned_to: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    metadata: dict[str, Any] = Field(default_factory=dict)


class Observation(BaseModel):
    """Something learned about a conversation (sentiment, intent, a compliance flag ...)."""

    id: str = Field(default_factory=new_id)
    room_id: str
    channel_id: str | None = None
    type: str
    data: dict[str, Any] = Field(default_factory=dict)
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    created_at: datetime = Field(default_factory=utcnow)
