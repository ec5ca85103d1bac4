"""Conversation stores: the contract and the in-memory default."""

from roomkit.store.base import ConversationStore
from roomkit.store.memory import InMemoryStore

__all__ = ["ConversationStore", "InMemoryStore"]
