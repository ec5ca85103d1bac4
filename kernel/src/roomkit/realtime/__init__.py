"""Realtime backends for ephemeral events: the contract and the in-memory default."""

from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.memory import InMemoryRealtime

__all__ = ["EphemeralCallback", "InMemoryRealtime", "RealtimeBackend"]
