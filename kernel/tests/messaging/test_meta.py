"""WebhookMeta (RoomKit 0.6.7 shape) and extract_sms_meta through the plugin catalogue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roomkit.errors import ConfigurationError, InvalidContentError
from roomkit.messaging.meta import WebhookMeta, extract_sms_meta, register_sms_meta_extractor
from roomkit.models.content import CompositeContent, MediaContent, TextContent
from roomkit.models.enums import DeliveryStatus
from roomkit.plugins.catalogue import Catalogue, reset_catalogue
from roomkit.plugins.known import install_hint
from roomkit.providers.sms.meta import WebhookMeta as MetaFromOldPath


def _meta(**changes: object) -> WebhookMeta:
    fields: dict[str, object] = {
        "provider": "p",
        "sender": "+15550100",
        "recipient": "+15550199",
        "body": "hello",
        "external_id": "m-1",
        "timestamp": None,
        "raw": {},
    }
    fields.update(changes)
    return WebhookMeta(**fields)  # type: ignore[arg-type]


def test_the_0_6_7_import_path_and_positional_order() -> None:
    assert MetaFromOldPath is WebhookMeta
    meta = WebhookMeta("p", "+1", "+2", "body", "id", None, {})
    assert (meta.sender, meta.recipient, meta.external_id) == ("+1", "+2", "id")


@pytest.mark.parametrize(
    ("direction", "event_type", "status", "inbound", "is_status"),
    [
        (None, None, None, True, False),
        ("inbound", "message.received", None, True, False),
        ("outbound", "message.finalized", None, False, True),
        (None, "message.finalized", None, False, True),
        (None, None, "delivered", False, True),  # 0.6.7 called a Twilio status "inbound"
        ("outbound", None, None, False, True),
        ("outbound-api", None, None, False, True),
    ],
)
def test_inbound_or_status(
    direction: str | None,
    event_type: str | None,
    status: str | None,
    inbound: bool,
    is_status: bool,
) -> None:
    meta = _meta(direction=direction, event_type=event_type, status=status)
    assert (meta.is_inbound, meta.is_status) == (inbound, is_status)


def test_to_inbound_text_is_idempotent_by_vendor_id() -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    message = _meta(timestamp=at).to_inbound("sms-1")
    assert message.channel_id == "sms-1"
    assert message.sender_id == "+15550100"
    assert message.content == TextContent(body="hello")
    assert message.idempotency_key == message.external_id == "m-1"
    assert message.metadata == {
        "provider": "p",
        "recipient": "+15550199",
        "timestamp": at.isoformat(),
    }


def test_to_inbound_media() -> None:
    one = _meta(media_urls=[{"url": "https://m/1.jpg", "mime_type": "image/jpeg"}])
    content = one.to_inbound("c").content
    assert content == MediaContent(url="https://m/1.jpg", mime_type="image/jpeg", caption="hello")
    two = _meta(media_urls=[{"url": "https://m/1", "mime_type": None}, {"url": "https://m/2"}])
    composite = two.to_inbound("c").content
    assert isinstance(composite, CompositeContent)
    assert [type(p).__name__ for p in composite.parts] == [
        "TextContent",
        "MediaContent",
        "MediaContent",
    ]
    assert composite.parts[1].mime_type == "application/octet-stream"  # type: ignore[union-attr]


def test_to_status() -> None:
    meta = _meta(direction="outbound", status="undelivered", error_code="30003")
    status = meta.to_status("sms-1")
    assert status.message_id == "m-1"
    assert status.status == "undelivered"
    assert status.delivery_status == DeliveryStatus.FAILED
    assert status.error_code == "30003"
    assert status.channel_id == "sms-1"
    telnyx_like = _meta(direction="outbound", event_type="message.finalized")
    assert telnyx_like.to_status().status == "finalized"


def test_the_wrong_conversion_is_a_typed_error() -> None:
    with pytest.raises(InvalidContentError, match="is_inbound"):
        _meta(status="delivered").to_inbound("c")
    with pytest.raises(InvalidContentError, match="is_status"):
        _meta().to_status()


def test_extract_through_the_builtin_mock_plugin() -> None:
    meta = extract_sms_meta(
        "mock",
        {
            "type": "message",
            "id": "m-9",
            "from": "+15550100",
            "text": "hi",
            "media": [{"url": "https://x/y.png", "mime_type": "image/png"}],
        },
    )
    assert meta.is_inbound
    assert meta.media_urls == [{"url": "https://x/y.png", "mime_type": "image/png"}]
    status = extract_sms_meta("mock", {"type": "status", "message_id": "m-9", "status": "read"})
    assert status.is_status
    assert status.to_status().delivery_status == DeliveryStatus.READ


def test_unknown_provider_names_what_to_install() -> None:
    """The hint is the known-plugins one: no roomkit-* distribution is on a package index, so
    a built one installs from the checkout or a wheel."""
    reset_catalogue(Catalogue([]))  # as if no plugin were installed
    try:
        with pytest.raises(ConfigurationError) as caught:
            extract_sms_meta("twilio", {})
    finally:
        reset_catalogue()
    message = str(caught.value)
    assert install_hint("roomkit-twilio") in message
    assert "pip install roomkit-twilio" not in message
    with pytest.raises(ConfigurationError, match=r"available: .*mock"):
        extract_sms_meta("nope", {})


def test_registered_extractor_wins_and_payload_must_be_a_mapping() -> None:
    register_sms_meta_extractor("custom-test", lambda payload: _meta(body=str(payload["b"])))
    assert extract_sms_meta("custom-test", {"b": "x"}).body == "x"
    with pytest.raises(InvalidContentError, match="mapping"):
        extract_sms_meta("custom-test", ["not", "a", "mapping"])  # type: ignore[arg-type]
