"""roomkit-telegram: a Telegram bot through the Bot API (text, media, locations, inline and
reply keyboards, edits, deletes, typing) and its webhook updates (checked by secret token)
or long polling.

Names load on first use: importing the package does not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_telegram.version import __version__

__all__ = [
    "SecretTokenVerifier",
    "TelegramBotProvider",
    "TelegramConfig",
    "TelegramUpdateParser",
    "__version__",
    "build_calls",
    "parse_telegram_update",
    "parse_telegram_webhook",
]

_EXPORTS = {
    "SecretTokenVerifier": "roomkit_telegram.updates",
    "TelegramBotProvider": "roomkit_telegram.provider",
    "TelegramConfig": "roomkit_telegram.config",
    "TelegramUpdateParser": "roomkit_telegram.updates",
    "build_calls": "roomkit_telegram.messages",
    "parse_telegram_update": "roomkit_telegram.updates",
    "parse_telegram_webhook": "roomkit_telegram.updates",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_telegram.config import TelegramConfig
    from roomkit_telegram.messages import build_calls
    from roomkit_telegram.provider import TelegramBotProvider
    from roomkit_telegram.updates import (
        SecretTokenVerifier,
        TelegramUpdateParser,
        parse_telegram_update,
        parse_telegram_webhook,
    )
