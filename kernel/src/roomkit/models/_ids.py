"""The one identifier generator and the clock, shared by the models and the engine."""

from __future__ import annotations

import os
from datetime import UTC, datetime

__all__ = ["new_id", "utcnow"]


def new_id() -> str:
    """A fresh random identifier: 32 hex characters (128 random bits, like ``uuid4().hex``).

    Drawn straight from ``os.urandom``: about three times cheaper than ``uuid4().hex``, and ids
    are made for every event on the message path.
    """
    return os.urandom(16).hex()


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
