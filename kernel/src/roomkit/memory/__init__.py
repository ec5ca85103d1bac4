"""Memory providers: what an AI channel remembers of a room."""

from roomkit.memory.base import INTERNAL_KEY, MemoryProvider, MemoryResult, is_transcript_event
from roomkit.memory.handoff import HandoffMemoryProvider
from roomkit.memory.mock import MockMemoryProvider
from roomkit.memory.sliding_window import SlidingWindowMemory

__all__ = [
    "INTERNAL_KEY",
    "HandoffMemoryProvider",
    "MemoryProvider",
    "MemoryResult",
    "MockMemoryProvider",
    "SlidingWindowMemory",
    "is_transcript_event",
]
