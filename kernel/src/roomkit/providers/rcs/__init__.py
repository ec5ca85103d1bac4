"""RCS provider contract and its mock."""

from __future__ import annotations

from roomkit.providers.rcs.base import (
    RCSDeliveryResult,
    RCSProvider,
)
from roomkit.providers.rcs.mock import MockRCSProvider

__all__ = ["MockRCSProvider", "RCSDeliveryResult", "RCSProvider"]
