"""AI provider contract."""

from roomkit.providers.ai.base import AIProvider

__all__ = ["AIProvider"]
