"""Channels: the contract, the transport base, the WebSocket channel, AI channels and agents.

``AIChannel`` and ``Agent`` are loaded on first use (they live in :mod:`roomkit.channels.ai`
and :mod:`roomkit.channels.agent`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from roomkit.channels.base import Channel
from roomkit.channels.transport import TransportChannel
from roomkit.channels.websocket import WebSocketChannel

if TYPE_CHECKING:
    from roomkit.channels.agent import Agent
    from roomkit.channels.ai import AIChannel

__all__ = ["AIChannel", "Agent", "Channel", "TransportChannel", "WebSocketChannel"]

_LAZY = {"AIChannel": "roomkit.channels.ai", "Agent": "roomkit.channels.agent"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'roomkit.channels' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
