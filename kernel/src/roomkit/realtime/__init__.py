"""Realtime backends for ephemeral events: the contract, the in-memory default, the fan-out."""

from roomkit.realtime.base import EphemeralCallback, RealtimeBackend
from roomkit.realtime.fanout import Fanout
from roomkit.realtime.memory import InMemoryRealtime

__all__ = ["EphemeralCallback", "Fanout", "InMemoryRealtime", "RealtimeBackend"]
