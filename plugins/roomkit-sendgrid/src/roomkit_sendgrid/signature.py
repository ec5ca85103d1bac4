"""SendGrid's webhook signatures (Signed Event Webhook, Inbound Parse security policy).

SendGrid signs ``timestamp + raw body`` with ECDSA on P-256 and SHA-256, and sends::

    X-Twilio-Email-Event-Webhook-Signature: <base64 of the DER signature>
    X-Twilio-Email-Event-Webhook-Timestamp: <unix seconds>

The receiver verifies with the public key SendGrid shows (base64 of the DER
SubjectPublicKeyInfo). :class:`SendGridSignatureVerifier` does that on the raw bytes, then
refuses timestamps outside the tolerance window as replays.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

from roomkit.errors import WebhookSignatureError
from roomkit.messaging.signing import check_timestamp
from roomkit.messaging.webhook import WebhookRequest, WebhookVerifier

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "SendGridSignatureVerifier",
    "load_public_key",
]

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


def load_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """The elliptic-curve public key in ``text`` (base64 DER as SendGrid shows it, or PEM).

    Raises :class:`ValueError` when it is not one.
    """
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = load_pem_public_key(text.encode())
        else:
            key = load_der_public_key(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error, TypeError) as exc:
        raise ValueError(f"not a SendGrid verification key (base64 DER or PEM): {exc}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("a SendGrid verification key is an elliptic-curve (ECDSA) key")
    return key


class SendGridSignatureVerifier(WebhookVerifier):
    """Verifies SendGrid's ECDSA webhook signature with ``public_key`` (see the module
    docstring); ``kind`` names the webhook in error messages."""

    def __init__(
        self,
        public_key: str,
        *,
        tolerance_seconds: float = 600.0,
        kind: str = "event webhook",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = load_public_key(public_key)
        self._tolerance = tolerance_seconds
        self._kind = kind
        self._clock = clock

    def verify(self, request: WebhookRequest) -> None:
        signature = request.header(SIGNATURE_HEADER)
        timestamp = request.header(TIMESTAMP_HEADER)
        if not signature:
            raise WebhookSignatureError(
                f"SendGrid {self._kind}: no {SIGNATURE_HEADER} header", reason="missing"
            )
        if not timestamp or not timestamp.strip().isdigit():
            raise WebhookSignatureError(
                f"SendGrid {self._kind}: {TIMESTAMP_HEADER} must be unix seconds"
            )
        try:
            der = base64.b64decode(signature.strip(), validate=True)
            self._key.verify(
                der, timestamp.strip().encode() + request.body, ec.ECDSA(hashes.SHA256())
            )
        except (InvalidSignature, binascii.Error, ValueError):
            raise WebhookSignatureError(
                f"SendGrid {self._kind}: the signature does not match"
            ) from None
        check_timestamp(timestamp.strip(), self._clock(), self._tolerance)
