"""SMS provider contract, its mock, webhook metadata and phone-number helpers."""

from __future__ import annotations

from roomkit.providers.sms.base import SMSProvider
from roomkit.providers.sms.mock import MockSMSProvider

__all__ = ["MockSMSProvider", "SMSProvider"]
