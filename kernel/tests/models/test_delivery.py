"""ProviderResult classification, typed failures, vendor status mapping, status updates."""

from __future__ import annotations

import pytest

from roomkit.core.retry import is_retryable
from roomkit.errors import PermanentProviderError, ProviderError, TransientProviderError
from roomkit.models.delivery import (
    DeliveryStatusUpdate,
    ProviderResult,
    is_retryable_status,
    map_vendor_status,
    status_rank,
)
from roomkit.models.enums import ChannelDirection, ChannelType, DeliveryStatus


@pytest.mark.parametrize(
    ("code", "retryable"),
    [(400, False), (401, False), (403, False), (404, False), (409, False), (422, False),
     (408, True), (425, True), (429, True), (500, True), (502, True), (503, True), (504, True)],
)  # fmt: skip
def test_http_status_classification(code: int, retryable: bool) -> None:
    assert is_retryable_status(code) is retryable
    result = ProviderResult.from_http_error(code, "vendor said no", retry_after=2.0)
    assert not result.success
    assert result.retryable is retryable
    assert result.status_code == code
    assert result.error is not None
    assert f"HTTP {code}" in result.error


def test_raise_for_failure_gives_errors_the_engine_retry_understands() -> None:
    ProviderResult.sent("m-1").raise_for_failure("acme")  # success: nothing raised
    with pytest.raises(TransientProviderError) as transient:
        ProviderResult.from_http_error(429, "slow down", retry_after=3.5).raise_for_failure("acme")
    assert transient.value.retry_after == 3.5
    assert transient.value.provider == "acme"
    assert is_retryable(transient.value)
    with pytest.raises(PermanentProviderError) as permanent:
        ProviderResult.from_http_error(400, "bad number").raise_for_failure("acme")
    assert not is_retryable(permanent.value)
    assert isinstance(permanent.value, ProviderError)
    assert "acme: HTTP 400: bad number" in str(permanent.value)
    with pytest.raises(PermanentProviderError, match="without a reason"):
        ProviderResult(success=False).raise_for_failure()


def test_0_6_7_fields_and_defaults() -> None:
    result = ProviderResult(success=True, provider_message_id="x")
    assert result.metadata == {}
    assert result.error is None
    assert not result.retryable


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("queued", DeliveryStatus.SENT),
        ("Sent", DeliveryStatus.SENT),
        ("delivered", DeliveryStatus.DELIVERED),
        ("DELIVERED", DeliveryStatus.DELIVERED),
        ("read", DeliveryStatus.READ),
        ("undelivered", DeliveryStatus.FAILED),
        ("delivery-failed", DeliveryStatus.FAILED),
        ("bounce", DeliveryStatus.FAILED),
        ("open", DeliveryStatus.READ),
        ("pending", DeliveryStatus.PENDING),
        ("receiving", None),
        ("finalized", None),
        ("", None),
    ],
)
def test_vendor_status_words(word: str, status: DeliveryStatus | None) -> None:
    assert map_vendor_status(word) == status


def test_status_rank_orders_progress() -> None:
    order = [DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.DELIVERED]
    assert [status_rank(s) for s in order] == sorted(status_rank(s) for s in order)
    assert status_rank(DeliveryStatus.READ) > status_rank(DeliveryStatus.DELIVERED)


def test_status_update_maps_and_exposes_a_source_for_hook_filters() -> None:
    update = DeliveryStatusUpdate(provider="twilio", message_id="SM1", status="delivered")
    assert update.delivery_status == DeliveryStatus.DELIVERED
    assert update.source is None
    known = update.model_copy(update={"channel_id": "sms", "channel_type": ChannelType.SMS})
    source = known.source
    assert source is not None
    assert (source.channel_id, source.channel_type, source.direction) == (
        "sms",
        ChannelType.SMS,
        ChannelDirection.OUTBOUND,
    )
    explicit = DeliveryStatusUpdate(
        provider="x", message_id="1", status="weird", delivery_status=DeliveryStatus.READ
    )
    assert explicit.delivery_status == DeliveryStatus.READ
    with pytest.raises(ValueError, match="message_id"):
        DeliveryStatusUpdate(provider="x", message_id="", status="sent")
