"""Configuration of :class:`~roomkit_sse.source.SSESource` (for create_component)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SSESourceConfig"]


class SSESourceConfig(BaseModel):
    """Options of :class:`~roomkit_sse.source.SSESource` (headers may hold credentials: they
    are kept out of ``repr``)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://", description="http:// or https:// URL of the stream")
    channel_id: str = Field(min_length=1, description="Channel the messages arrive on")
    headers: dict[str, str] | None = Field(default=None, repr=False, description="HTTP headers")
    params: dict[str, str] | None = Field(default=None, description="Query parameters")
    timeout: float = Field(default=30.0, gt=0, description="Connect and read time-out (s)")
    last_event_id: str | None = Field(default=None, description="Resume after this event")
    event_types: list[str] | None = Field(default=None, description="Only these event names")
    reconnect: bool = Field(default=False, description="Reconnect by itself (else the kit does)")
    max_reconnect_backoff: float = Field(default=30.0, gt=0)
    rate_limit: float | None = Field(default=None, gt=0, description="Messages per second")
