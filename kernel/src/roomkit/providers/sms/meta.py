"""RoomKit 0.6.7's import path of the SMS webhook metadata (defined in roomkit.messaging.meta)."""

from __future__ import annotations

from roomkit.messaging.meta import WebhookMeta, extract_sms_meta, register_sms_meta_extractor

__all__ = ["WebhookMeta", "extract_sms_meta", "register_sms_meta_extractor"]
