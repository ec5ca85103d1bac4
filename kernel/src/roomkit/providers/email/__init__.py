"""Email provider contract, threading headers and the mock."""

from __future__ import annotations

from roomkit.providers.email.base import (
    EMAIL_METADATA_KEY,
    EmailProvider,
    EmailThreading,
)
from roomkit.providers.email.mock import MockEmailProvider

__all__ = ["EMAIL_METADATA_KEY", "EmailProvider", "EmailThreading", "MockEmailProvider"]
