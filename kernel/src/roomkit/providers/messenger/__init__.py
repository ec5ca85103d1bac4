"""Facebook Messenger provider contract and its mock."""

from __future__ import annotations

from roomkit.providers.messenger.base import MessengerProvider
from roomkit.providers.messenger.mock import MockMessengerProvider

__all__ = ["MessengerProvider", "MockMessengerProvider"]
