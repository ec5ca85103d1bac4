"""Telegram Bot provider contract and its mock."""

from __future__ import annotations

from roomkit.providers.telegram.base import TelegramProvider
from roomkit.providers.telegram.mock import MockTelegramProvider

__all__ = ["MockTelegramProvider", "TelegramProvider"]
