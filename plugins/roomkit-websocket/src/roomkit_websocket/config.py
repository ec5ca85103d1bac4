"""Configuration of :class:`~roomkit_websocket.source.WebSocketSource` (for create_component)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["WebSocketSourceConfig"]


class WebSocketSourceConfig(BaseModel):
    """Options of :class:`~roomkit_websocket.source.WebSocketSource` (headers may hold
    credentials: they are kept out of ``repr``)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^wss?://", description="ws:// or wss:// URL of the stream")
    channel_id: str = Field(min_length=1, description="Channel the messages arrive on")
    headers: dict[str, str] | None = Field(default=None, repr=False, description="HTTP headers")
    subprotocols: list[str] | None = None
    ping_interval: float | None = Field(default=20.0, gt=0)
    ping_timeout: float | None = Field(default=20.0, gt=0)
    close_timeout: float | None = Field(default=10.0, gt=0)
    open_timeout: float = Field(default=10.0, gt=0, description="Seconds to connect")
    max_size: int | None = Field(default=1_048_576, gt=0, description="Largest message (bytes)")
    origin: str | None = None
    reconnect: bool = Field(default=False, description="Reconnect by itself (else the kit does)")
    max_reconnect_backoff: float = Field(default=30.0, gt=0)
    rate_limit: float | None = Field(default=None, gt=0, description="Messages per second")
