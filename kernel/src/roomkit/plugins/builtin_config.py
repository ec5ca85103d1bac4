"""Configuration models of the built-in components that take fixed options."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from roomkit.deferred import DeferredModel

__all__ = ["ChannelIdConfig", "EmptyConfig"]


class EmptyConfig(DeferredModel):
    """A component without options: any key is an error."""

    model_config = ConfigDict(extra="forbid")


class ChannelIdConfig(DeferredModel):
    """A channel configured only by its id."""

    model_config = ConfigDict(extra="forbid")

    channel_id: str = Field(min_length=1, description="The id the channel is registered under")
