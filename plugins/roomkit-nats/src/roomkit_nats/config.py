"""Configuration of :class:`~roomkit_nats.source.NATSSource` (for create_component)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["NATSSourceConfig"]


class NATSSourceConfig(BaseModel):
    """Options of :class:`~roomkit_nats.source.NATSSource` (credentials stay out of ``repr``)."""

    model_config = ConfigDict(extra="forbid")

    servers: str | list[str] = Field(description="nats:// or tls:// server URL(s)")
    channel_id: str = Field(min_length=1, description="Channel the messages arrive on")
    subject: str = Field(min_length=1, description="Subject to consume")
    stream: str | None = Field(default=None, description="Stream name (else from the subject)")
    durable: str = Field(default="roomkit", min_length=1, description="Durable consumer name")
    create_stream: bool = False
    batch: int = Field(default=10, ge=1, description="Messages fetched at a time")
    fetch_timeout: float = Field(default=1.0, gt=0)
    ack_wait: float = Field(default=30.0, gt=0, description="Redelivery delay if not acked (s)")
    nak_delay: float = Field(default=1.0, ge=0, description="Redelivery delay after a failure")
    max_deliver: int = Field(default=-1, description="Deliveries per message (-1: no limit)")
    deliver_new: bool = False
    connect_timeout: float = Field(default=5.0, gt=0)
    ping_interval: float = Field(default=20.0, gt=0)
    max_outstanding_pings: int = Field(default=2, ge=1)
    max_reconnect_attempts: int = Field(default=60, ge=-1)
    token: str | None = Field(default=None, repr=False)
    user: str | None = None
    password: str | None = Field(default=None, repr=False)
    rate_limit: float | None = Field(default=None, gt=0, description="Messages per second")
