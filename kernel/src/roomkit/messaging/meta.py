"""``WebhookMeta``: one vendor-neutral view of an SMS webhook, and ``extract_sms_meta``.

``extract_sms_meta("twilio", payload)`` asks the installed SMS provider plugin named
``"twilio"`` to read its vendor's payload (the provider class's ``extract_meta``), so the
kernel knows no vendor format. The result says whether the webhook is an inbound message
(:meth:`WebhookMeta.to_inbound`) or a delivery status (:meth:`WebhookMeta.to_status`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from roomkit.errors import ConfigurationError, InvalidContentError, PluginError
from roomkit.models.content import CompositeContent, EventContent, MediaContent, TextContent
from roomkit.models.delivery import DeliveryStatusUpdate, map_vendor_status
from roomkit.models.event import InboundMessage
from roomkit.plugins.descriptors import load_ref
from roomkit.plugins.known import KNOWN_COMPONENTS, install_hint

if TYPE_CHECKING:
    from roomkit.plugins.catalogue import Catalogue

__all__ = [
    "MetaExtractor",
    "WebhookMeta",
    "build_inbound_content",
    "extract_sms_meta",
    "register_sms_meta_extractor",
]

MetaExtractor = Callable[[Mapping[str, Any]], "WebhookMeta"]

#: Event types vendors use for status callbacks (0.6.7 recognised these without a status).
_STATUS_EVENT_TYPES = frozenset(
    {"message.sent", "message.finalized", "message.delivered", "message.failed", "status"}
)


def build_inbound_content(body: str, media: list[dict[str, str | None]]) -> EventContent:
    """Text, one media item (the text as its caption), or text plus several media items."""
    items = [
        MediaContent(
            url=str(m["url"]), mime_type=str(m.get("mime_type") or "application/octet-stream")
        )
        for m in media
        if m.get("url")
    ]
    if not items:
        return TextContent(body=body)
    if len(items) == 1:
        return items[0].model_copy(update={"caption": body or None})
    parts: list[EventContent] = [TextContent(body=body)] if body else []
    parts.extend(items)
    return CompositeContent(parts=parts)


@dataclass
class WebhookMeta:
    """Normalised metadata of any SMS provider webhook.

    The first fields keep RoomKit 0.6.7's order. ``status`` (the vendor's status word),
    ``error_code`` and ``error_message`` are set for delivery-status webhooks; a webhook is
    a status when it has a ``status``, or is outbound with an event type, or carries one of
    the status event types (``message.finalized`` ...).
    """

    provider: str
    sender: str
    recipient: str
    body: str
    external_id: str | None
    timestamp: datetime | None
    raw: dict[str, Any]
    media_urls: list[dict[str, str | None]] = field(default_factory=list)
    direction: str | None = None
    event_type: str | None = None
    status: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def is_status(self) -> bool:
        """Whether this webhook reports on a message sent earlier."""
        if self.status is not None:
            return True
        if self.event_type is not None and self.event_type.lower() in _STATUS_EVENT_TYPES:
            return True
        return self.direction is not None and self.direction.lower().startswith("outbound")

    @property
    def is_inbound(self) -> bool:
        """Whether this webhook carries a message sent to us."""
        if self.is_status:
            return False
        return self.direction is None or self.direction.lower() == "inbound"

    def to_inbound(self, channel_id: str) -> InboundMessage:
        """The message for ``kit.process_inbound``; the vendor id is its idempotency key, so a
        vendor retry is stored once."""
        if not self.is_inbound:
            raise InvalidContentError(
                f"this {self.provider} webhook is not an inbound message "
                f"(direction={self.direction!r}, status={self.status!r}); "
                "check meta.is_inbound first, or use meta.to_status()"
            )
        metadata: dict[str, Any] = {"provider": self.provider, "recipient": self.recipient}
        if self.timestamp is not None:
            metadata["timestamp"] = self.timestamp.isoformat()
        return InboundMessage(
            channel_id=channel_id,
            sender_id=self.sender,
            content=build_inbound_content(self.body, self.media_urls),
            external_id=self.external_id,
            idempotency_key=self.external_id,
            metadata=metadata,
            raw_payload=self.raw,
        )

    def to_status(self, channel_id: str | None = None) -> DeliveryStatusUpdate:
        """The status update for ``process_delivery_status``."""
        if not self.is_status or not self.external_id:
            raise InvalidContentError(
                f"this {self.provider} webhook is not a delivery status with a message id; "
                "check meta.is_status first, or use meta.to_inbound()"
            )
        word = self.status or (self.event_type or "unknown").rsplit(".", 1)[-1]
        return DeliveryStatusUpdate(
            channel_id=channel_id,
            provider=self.provider,
            message_id=self.external_id,
            status=word,
            delivery_status=map_vendor_status(word),
            recipient=self.recipient,
            sender=self.sender,
            error_code=self.error_code,
            error_message=self.error_message,
            timestamp=self.timestamp,
            raw=self.raw,
        )


_EXTRACTORS: dict[str, MetaExtractor] = {}


def register_sms_meta_extractor(provider: str, extractor: MetaExtractor) -> None:
    """Make ``extract_sms_meta(provider, ...)`` use ``extractor`` (for providers that are not
    plugins; plugin providers are found through their ``extract_meta``)."""
    _EXTRACTORS[provider] = extractor


def _catalogue() -> Catalogue:
    # lazy: plugin discovery (entry points, pluggy) only when a provider's reader is looked up
    from roomkit.plugins.catalogue import get_catalogue

    return get_catalogue()


def _plugin_extractor(provider: str) -> MetaExtractor | None:
    found = _catalogue().find("sms_provider", provider)
    if found is None:
        return None
    try:
        factory = load_ref(found.descriptor.factory)
    except (ImportError, AttributeError) as exc:
        raise PluginError(f"sms_provider {provider!r} could not be imported: {exc}") from exc
    extractor = getattr(factory, "extract_meta", None)
    return extractor if callable(extractor) else None


def extract_sms_meta(provider: str, payload: Mapping[str, Any]) -> WebhookMeta:
    """Normalise an SMS webhook ``payload`` of ``provider`` (a registered extractor, else the
    ``extract_meta`` of the installed ``sms_provider`` plugin of that name)."""
    extractor = _EXTRACTORS.get(provider) or _plugin_extractor(provider)
    if extractor is None:
        installed = sorted(set(_EXTRACTORS) | set(_catalogue().names("sms_provider")))
        message = (
            f"no SMS webhook reader for provider {provider!r}; "
            f"available: {', '.join(installed) or 'none'}"
        )
        distribution = KNOWN_COMPONENTS.get(("sms_provider", provider))
        if distribution is not None:
            message += f" ({install_hint(distribution)})"
        raise ConfigurationError(message)
    if not isinstance(payload, Mapping):
        raise InvalidContentError(
            f"webhook payload must be a mapping, not {type(payload).__name__}"
        )
    return extractor(payload)
