"""Conversation stores: the contract (in pieces), the input rules and the in-memory default."""

from roomkit.store.base import ConversationStore
from roomkit.store.contracts import (
    BindingStore,
    EventStore,
    MemberStore,
    ReadStateStore,
    RoomStore,
    TaskStore,
)
from roomkit.store.memory import InMemoryStore

__all__ = [
    "BindingStore",
    "ConversationStore",
    "EventStore",
    "InMemoryStore",
    "MemberStore",
    "ReadStateStore",
    "RoomStore",
    "TaskStore",
]
