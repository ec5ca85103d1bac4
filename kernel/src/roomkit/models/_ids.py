"""Identifier and clock helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

__all__ = ["new_id", "utcnow"]


def new_id() -> str:
    """A fresh random identifier (32 hex characters)."""
    return uuid4().hex


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
