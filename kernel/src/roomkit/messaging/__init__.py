"""Messaging helpers shared by channels, provider plugins and the webhook server.

* :mod:`~roomkit.messaging.webhook` -- the verifier + parser contract of inbound webhooks;
* :mod:`~roomkit.messaging.signing` -- constant-time checks, replay windows, RoomKit's HMAC scheme;
* :mod:`~roomkit.messaging.meta` -- ``WebhookMeta`` and ``extract_sms_meta``;
* :mod:`~roomkit.messaging.segments` -- GSM-7 / UCS-2 SMS segment counting;
* :mod:`~roomkit.messaging.phone` -- ``normalize_phone`` / ``is_valid_phone`` (extra ``[phone]``);
* :mod:`~roomkit.messaging.index` -- where channels remember sent messages and email threads;
* :mod:`~roomkit.messaging.ttl` -- the bounded expiring map behind indexes and dedupe caches.

Names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports

__all__ = [
    "SIGNATURE_HEADER",
    "HmacSigner",
    "HmacVerifier",
    "InMemoryMessageIndex",
    "MessageIndex",
    "MessageRef",
    "SmsSegments",
    "TTLCache",
    "WebhookEndpoint",
    "WebhookItem",
    "WebhookMeta",
    "WebhookParser",
    "WebhookReply",
    "WebhookRequest",
    "WebhookVerifier",
    "check_timestamp",
    "dedupe_key",
    "extract_sms_meta",
    "is_gsm7",
    "is_valid_phone",
    "normalize_phone",
    "register_sms_meta_extractor",
    "signatures_match",
    "sms_segments",
]

_WHERE = {
    "HmacSigner": "roomkit.messaging.signing",
    "HmacVerifier": "roomkit.messaging.signing",
    "InMemoryMessageIndex": "roomkit.messaging.index",
    "MessageIndex": "roomkit.messaging.index",
    "MessageRef": "roomkit.messaging.index",
    "SIGNATURE_HEADER": "roomkit.messaging.signing",
    "SmsSegments": "roomkit.messaging.segments",
    "TTLCache": "roomkit.messaging.ttl",
    "WebhookEndpoint": "roomkit.messaging.webhook",
    "WebhookItem": "roomkit.messaging.webhook",
    "WebhookMeta": "roomkit.messaging.meta",
    "WebhookParser": "roomkit.messaging.webhook",
    "WebhookReply": "roomkit.messaging.webhook",
    "WebhookRequest": "roomkit.messaging.webhook",
    "WebhookVerifier": "roomkit.messaging.webhook",
    "check_timestamp": "roomkit.messaging.signing",
    "dedupe_key": "roomkit.messaging.webhook",
    "extract_sms_meta": "roomkit.messaging.meta",
    "is_gsm7": "roomkit.messaging.segments",
    "is_valid_phone": "roomkit.messaging.phone",
    "normalize_phone": "roomkit.messaging.phone",
    "register_sms_meta_extractor": "roomkit.messaging.meta",
    "signatures_match": "roomkit.messaging.signing",
    "sms_segments": "roomkit.messaging.segments",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

if TYPE_CHECKING:
    from roomkit.messaging.index import InMemoryMessageIndex, MessageIndex, MessageRef
    from roomkit.messaging.meta import WebhookMeta, extract_sms_meta, register_sms_meta_extractor
    from roomkit.messaging.phone import is_valid_phone, normalize_phone
    from roomkit.messaging.segments import SmsSegments, is_gsm7, sms_segments
    from roomkit.messaging.signing import (
        SIGNATURE_HEADER,
        HmacSigner,
        HmacVerifier,
        check_timestamp,
        signatures_match,
    )
    from roomkit.messaging.ttl import TTLCache
    from roomkit.messaging.webhook import (
        WebhookEndpoint,
        WebhookItem,
        WebhookParser,
        WebhookReply,
        WebhookRequest,
        WebhookVerifier,
        dedupe_key,
    )
