"""Side effects that hooks and agents produce: tasks to do and observations made."""

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, Field

from roomkit.deferred import DeferredModel
from roomkit.models._ids import new_id, utcnow
from roomkit.models.enums import TaskStatus

__all__ = ["Observation", "Task"]


class Task(DeferredModel):
    """Work created from a conversation (a callback to schedule, a ticket to open, a sub-task
    delegated to another agent ...)."""

    id: str = Field(default_factory=new_id)
    room_id: str
    title: str
    description: str | None = None
    status: TaskStatus = TaskStatus.PENDING
    assigned_to: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    metadata: dict[str, Any] = Field(default_factory=dict)


class Observation(DeferredModel):
    """Something learned about a conversation (sentiment, intent, a compliance flag ...).

    ``content`` says what was observed, ``category`` what kind of observation it is and
    ``metadata`` carries structured details, as in RoomKit 0.6.7. ``type`` and ``data`` are
    accepted as other names of ``category`` and ``metadata`` (and read back as properties),
    so observations written with either spelling, or stored by earlier versions, load the same.
    """

    id: str = Field(default_factory=new_id)
    room_id: str
    channel_id: str | None = None
    content: str = ""
    category: str | None = Field(default=None, validation_alias=AliasChoices("category", "type"))
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    created_at: datetime = Field(default_factory=utcnow)
    metadata: dict[str, Any] = Field(
        default_factory=dict, validation_alias=AliasChoices("metadata", "data")
    )

    @property
    def type(self) -> str | None:
        """Another name of :attr:`category`."""
        return self.category

    @property
    def data(self) -> dict[str, Any]:
        """Another name of :attr:`metadata`."""
        return self.metadata
