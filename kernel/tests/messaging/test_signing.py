"""RoomKit's HMAC webhook scheme: accepted, tampered, missing, replayed, rotated secrets."""

from __future__ import annotations

import pytest

from roomkit.errors import ConfigurationError, WebhookSignatureError
from roomkit.messaging.signing import (
    SIGNATURE_HEADER,
    HmacSigner,
    HmacVerifier,
    check_timestamp,
    signatures_match,
)
from roomkit.messaging.webhook import WebhookRequest

SECRET = "secret-one-123"
NOW = 1_700_000_000.0


def _request(body: bytes, headers: dict[str, str]) -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        url="https://hooks.example/x",
        headers={k.lower(): v for k, v in headers.items()},
        body=body,
    )


def _signed(body: bytes, secret: str | list[str] = SECRET, at: float = NOW) -> WebhookRequest:
    return _request(body, HmacSigner(secret, clock=lambda: at).headers(body))


def _verifier(secrets: str | list[str] = SECRET, now: float = NOW) -> HmacVerifier:
    return HmacVerifier(secrets, tolerance_seconds=300, clock=lambda: now)


def test_a_signed_request_is_accepted() -> None:
    _verifier().verify(_signed(b'{"a": 1}'))


def test_a_tampered_body_is_refused() -> None:
    request = _signed(b'{"amount": 1}')
    forged = _request(b'{"amount": 9}', dict(request.headers))
    with pytest.raises(WebhookSignatureError) as info:
        _verifier().verify(forged)
    assert info.value.reason == "invalid"
    assert info.value.status_code == 403


def test_a_missing_signature_is_refused() -> None:
    with pytest.raises(WebhookSignatureError) as info:
        _verifier().verify(_request(b"{}", {}))
    assert info.value.reason == "missing"


def test_a_wrong_secret_is_refused() -> None:
    with pytest.raises(WebhookSignatureError, match="does not match"):
        _verifier().verify(_signed(b"{}", secret="another-secret"))


def test_a_replayed_request_outside_the_window_is_refused() -> None:
    request = _signed(b"{}", at=NOW)
    _verifier(now=NOW + 299).verify(request)
    with pytest.raises(WebhookSignatureError) as info:
        _verifier(now=NOW + 301).verify(request)
    assert info.value.reason == "expired"
    with pytest.raises(WebhookSignatureError):  # from the future too (clock skew bound)
        _verifier(now=NOW - 301).verify(request)


def test_a_forged_old_timestamp_is_invalid_not_expired() -> None:
    request = _signed(b"{}", at=NOW)
    header = request.headers[SIGNATURE_HEADER.lower()].replace(f"t={int(NOW)}", "t=1")
    with pytest.raises(WebhookSignatureError) as info:
        _verifier().verify(_request(b"{}", {SIGNATURE_HEADER: header}))
    assert info.value.reason == "invalid"


@pytest.mark.parametrize("header", ["garbage", "t=abc,v1=00", "v1=00", "t=1700000000", ""])
def test_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(WebhookSignatureError):
        _verifier().verify(_request(b"{}", {SIGNATURE_HEADER: header}))


def test_secret_rotation() -> None:
    old, new = "old-secret-1", "new-secret-2"
    both = _signed(b"x", secret=[new, old])
    _verifier(old).verify(both)  # a receiver still on the old secret
    _verifier(new).verify(both)
    _verifier([new, old]).verify(_signed(b"x", secret=old))  # a receiver accepting both


def test_short_or_empty_secrets_are_configuration_errors() -> None:
    for bad in ("short", ""):
        with pytest.raises(ConfigurationError):
            HmacVerifier(bad)
        with pytest.raises(ConfigurationError):
            HmacSigner(bad)
    with pytest.raises(ConfigurationError):
        HmacVerifier([])


def test_helpers() -> None:
    assert signatures_match("abc", b"abc")
    assert not signatures_match("abc", "abd")
    check_timestamp("100", now=150, tolerance_seconds=60)
    with pytest.raises(WebhookSignatureError, match="replay"):
        check_timestamp(100, now=200, tolerance_seconds=60)
    with pytest.raises(WebhookSignatureError):
        check_timestamp("soon", now=200, tolerance_seconds=60)
