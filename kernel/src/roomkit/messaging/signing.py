"""Webhook signatures: helpers for vendor verifiers, and RoomKit's own HMAC scheme.

Vendor plugins implement their vendor's scheme in a :class:`~roomkit.messaging.webhook.
WebhookVerifier` and reuse :func:`signatures_match` (constant time) and :func:`check_timestamp`
(replay window) from here.

RoomKit's scheme (used by the mock providers and by generic HTTP webhooks) signs
``"{timestamp}.{body}"`` with HMAC-SHA256 and sends one header::

    X-RoomKit-Signature: t=1700000000,v1=5257a869e7...

Several ``v1=`` values may be present (a sender rotating its secret signs with both);
the verifier accepts any of its own secrets, so secrets rotate without downtime.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Sequence

from roomkit.errors import ConfigurationError, WebhookSignatureError
from roomkit.messaging.webhook import WebhookRequest, WebhookVerifier

__all__ = [
    "SIGNATURE_HEADER",
    "HmacSigner",
    "HmacVerifier",
    "check_timestamp",
    "signatures_match",
]

#: The header of RoomKit's own webhook signature scheme.
SIGNATURE_HEADER = "X-RoomKit-Signature"


def signatures_match(expected: str | bytes, given: str | bytes) -> bool:
    """Constant-time comparison of two signatures (never ``==`` on secrets)."""
    a = expected.encode() if isinstance(expected, str) else expected
    b = given.encode() if isinstance(given, str) else given
    return hmac.compare_digest(a, b)


def check_timestamp(timestamp: str | float | int, now: float, tolerance_seconds: float) -> None:
    """Raise ``WebhookSignatureError(reason="expired")`` unless the signed ``timestamp`` (UNIX
    seconds) is within ``tolerance_seconds`` of ``now``, either way (clock skew)."""
    try:
        value = float(timestamp)
    except (TypeError, ValueError):
        raise WebhookSignatureError("webhook timestamp is not a number", reason="invalid") from None
    if abs(now - value) > tolerance_seconds:
        raise WebhookSignatureError(
            f"webhook timestamp is {abs(now - value):.0f}s away from now (more than "
            f"{tolerance_seconds:g}s): refused as a replay",
            reason="expired",
        )


def _check_secret(secret: str) -> bytes:
    if not isinstance(secret, str) or len(secret) < 8:
        raise ConfigurationError("a webhook secret must be a string of at least 8 characters")
    return secret.encode()


def _mac(key: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


class HmacSigner:
    """Signs outgoing webhooks with RoomKit's scheme (one or more secrets)."""

    def __init__(self, secrets: str | Sequence[str], *, clock: Callable[[], float] = time.time):
        keys = [secrets] if isinstance(secrets, str) else list(secrets)
        if not keys:
            raise ConfigurationError("HmacSigner needs at least one secret")
        self._keys = [_check_secret(s) for s in keys]
        self._clock = clock

    def signature(self, body: bytes, timestamp: int | None = None) -> str:
        """The ``X-RoomKit-Signature`` header value for ``body``."""
        ts = int(self._clock()) if timestamp is None else int(timestamp)
        parts = [f"t={ts}"] + [f"v1={_mac(key, ts, body)}" for key in self._keys]
        return ",".join(parts)

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """The headers to send with ``body``."""
        return {SIGNATURE_HEADER: self.signature(body, timestamp)}


class HmacVerifier(WebhookVerifier):
    """Verifies RoomKit-scheme signatures: any of ``secrets``, timestamp within
    ``tolerance_seconds`` (5 minutes by default) of ``clock()``."""

    def __init__(
        self,
        secrets: str | Sequence[str],
        *,
        tolerance_seconds: float = 300.0,
        header: str = SIGNATURE_HEADER,
        clock: Callable[[], float] = time.time,
    ) -> None:
        keys = [secrets] if isinstance(secrets, str) else list(secrets)
        if not keys:
            raise ConfigurationError("HmacVerifier needs at least one secret")
        if tolerance_seconds <= 0:
            raise ConfigurationError("tolerance_seconds must be > 0")
        self._keys = [_check_secret(s) for s in keys]
        self._tolerance = tolerance_seconds
        self._header = header
        self._clock = clock

    def verify(self, request: WebhookRequest) -> None:
        value = request.header(self._header)
        if not value:
            raise WebhookSignatureError(f"no {self._header} header", reason="missing")
        timestamp: str | None = None
        given: list[str] = []
        for part in value.split(","):
            name, _, item = part.strip().partition("=")
            if name == "t":
                timestamp = item
            elif name == "v1" and item:
                given.append(item)
        if timestamp is None or not given:
            raise WebhookSignatureError(
                f"{self._header} must hold t=<unix time> and v1=<hex digest>", reason="invalid"
            )
        try:
            ts = int(timestamp)
        except ValueError:
            raise WebhookSignatureError("webhook timestamp is not an integer") from None
        for key in self._keys:
            expected = _mac(key, ts, request.body)
            if any(signatures_match(expected, candidate) for candidate in given):
                # Authentic; now refuse it if it is an old request played again.
                check_timestamp(ts, self._clock(), self._tolerance)
                return
        raise WebhookSignatureError("webhook signature does not match", reason="invalid")
