"""Configuration of the example channel (validated by ``create_component``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ExampleConfig"]


class ExampleConfig(BaseModel):
    """Options of :class:`~roomkit_example.channel.ExampleChannel`."""

    model_config = ConfigDict(extra="forbid")

    channel_id: str = Field(min_length=1, description="The id the channel is registered under")
    max_length: int = Field(default=4096, gt=0, description="Longest text delivered")
    outbox_size: int = Field(default=1000, gt=0, description="Messages kept when no sink is set")
