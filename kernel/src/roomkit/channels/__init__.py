"""Channels: the contract, the transport base, the WebSocket channel, messaging channels, AI
channels and agents.

Everything but the contract, the transport base and the WebSocket channel loads on first use:
``AIChannel`` (:mod:`roomkit.channels.ai`), ``Agent`` (:mod:`roomkit.channels.agent`) and the
messaging channel factories (``SMSChannel`` in :mod:`roomkit.channels.sms` ...).
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
    from roomkit.channels.email import EmailChannel
    from roomkit.channels.http import HTTPChannel
    from roomkit.channels.messaging import MessagingChannel
    from roomkit.channels.messenger import MessengerChannel
    from roomkit.channels.rcs import RCSChannel
    from roomkit.channels.sms import SMSChannel
    from roomkit.channels.teams import TeamsChannel
    from roomkit.channels.telegram import TelegramChannel
    from roomkit.channels.voice import VoiceChannel
    from roomkit.channels.whatsapp import WhatsAppChannel
    from roomkit.channels.whatsapp_personal import WhatsAppPersonalChannel

__all__ = [
    "AIChannel",
    "Agent",
    "Channel",
    "EmailChannel",
    "HTTPChannel",
    "MessagingChannel",
    "MessengerChannel",
    "RCSChannel",
    "SMSChannel",
    "TeamsChannel",
    "TelegramChannel",
    "TransportChannel",
    "VoiceChannel",
    "WebSocketChannel",
    "WhatsAppChannel",
    "WhatsAppPersonalChannel",
]

_LAZY = {
    "AIChannel": "roomkit.channels.ai",
    "Agent": "roomkit.channels.agent",
    "EmailChannel": "roomkit.channels.email",
    "HTTPChannel": "roomkit.channels.http",
    "MessagingChannel": "roomkit.channels.messaging",
    "MessengerChannel": "roomkit.channels.messenger",
    "RCSChannel": "roomkit.channels.rcs",
    "SMSChannel": "roomkit.channels.sms",
    "TeamsChannel": "roomkit.channels.teams",
    "TelegramChannel": "roomkit.channels.telegram",
    "WhatsAppChannel": "roomkit.channels.whatsapp",
    "WhatsAppPersonalChannel": "roomkit.channels.whatsapp_personal",
    "VoiceChannel": "roomkit.channels.voice",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
