"""RoomKit 0.6.7's import path of the phone-number helpers (defined in roomkit.messaging.phone)."""

from __future__ import annotations

from roomkit.messaging.phone import is_valid_phone, normalize_phone

__all__ = ["is_valid_phone", "normalize_phone"]
