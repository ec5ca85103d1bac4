"""What Meta's platforms (Messenger, WhatsApp Cloud API) share on the wire.

* **Webhook signatures.** Meta signs every webhook POST with the app secret::

      X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>

  :func:`sign_meta` builds that header; there is no timestamp, so a replay is caught by the
  message ids (dedupe), not by the signature.
* **Verification handshake.** Subscribing a webhook, Meta calls ``GET <url>?hub.mode=subscribe
  &hub.verify_token=<yours>&hub.challenge=<random>`` and expects the challenge back as the
  body: :func:`handshake_query`.
* **Graph API errors.** ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}``: :func:`graph_error`.
* **Access tokens** travel as ``Authorization: Bearer <token>`` or ``?access_token=``:
  :func:`graph_token`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from roomkit_conformance.wire.http import RecordedRequest, WireResponse

__all__ = [
    "META_SIGNATURE_HEADER",
    "graph_error",
    "graph_token",
    "handshake_query",
    "meta_dumps",
    "sign_meta",
]

#: The (lower-case) header of Meta's webhook signature.
META_SIGNATURE_HEADER = "x-hub-signature-256"


def sign_meta(body: bytes, app_secret: str) -> dict[str, str]:
    """The headers Meta sends with a webhook carrying ``body`` (lower-case names)."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"content-type": "application/json", META_SIGNATURE_HEADER: f"sha256={digest}"}


def handshake_query(verify_token: str, challenge: str | None = None) -> dict[str, str]:
    """The query of Meta's subscription handshake (``GET``)."""
    return {
        "hub.mode": "subscribe",
        "hub.verify_token": verify_token,
        "hub.challenge": challenge or str(secrets.randbelow(10**9)),
    }


def graph_error(
    status: int,
    message: str,
    *,
    code: int,
    subcode: int | None = None,
    kind: str = "OAuthException",
    headers: dict[str, str] | None = None,
) -> WireResponse:
    """A Graph API error answer."""
    error: dict[str, Any] = {
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": secrets.token_urlsafe(8),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return WireResponse.json({"error": error}, status=status, headers=headers)


def graph_token(request: RecordedRequest) -> str | None:
    """The access token of a Graph API request (bearer header or ``access_token`` query)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    values = request.query.get("access_token")
    return values[0] if values else None


def meta_dumps(data: Any) -> bytes:
    """A webhook body as Meta sends it (compact JSON, UTF-8)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
