"""Channels: the contract, the transport base, the WebSocket channel, AI channels and agents.

``AIChannel`` and ``Agent`` are loaded on first use (they live in :mod:`roomkit.channels.ai`
and :mod:`roomkit.channels.agent`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.channels.base import Channel
from roomkit.channels.transport import TransportChannel
from roomkit.channels.websocket import WebSocketChannel
from roomkit.lazy import lazy_exports

if TYPE_CHECKING:
    from roomkit.channels.agent import Agent
    from roomkit.channels.ai import AIChannel

__all__ = ["AIChannel", "Agent", "Channel", "TransportChannel", "WebSocketChannel"]

_LAZY = {"AIChannel": "roomkit.channels.ai", "Agent": "roomkit.channels.agent"}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
