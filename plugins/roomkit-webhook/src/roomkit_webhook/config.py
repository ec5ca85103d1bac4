"""``HTTPProviderConfig``: where to post, how to sign, what to accept back."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from roomkit.messaging.signing import SIGNATURE_HEADER

__all__ = ["HTTPProviderConfig"]


def _is_private(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"} or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


class HTTPProviderConfig(BaseModel):
    """Configuration of :class:`~roomkit_webhook.provider.WebhookHTTPProvider`.

    Outbound, every post to ``webhook_url`` is signed with ``secret`` (and with every
    ``rotating_secrets`` entry, so a receiver knowing either accepts it) in RoomKit's scheme:
    ``X-RoomKit-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``. Inbound, the
    same secrets verify the other system's webhooks, refusing timestamps more than
    ``tolerance_seconds`` away (replays).

    ``headers`` are added to every post; their values are kept as secrets (an
    ``Authorization`` header never shows in a repr or a log). ``webhook_url`` may not point
    at this machine or a private network unless ``allow_private_network`` is set (a room's
    messages should not be redirectable to internal services).
    """

    webhook_url: str
    secret: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    rotating_secrets: list[SecretStr] = Field(default_factory=list)
    tolerance_seconds: float = Field(default=300.0, gt=0)
    signature_format: Literal["timestamped", "legacy"] = "timestamped"
    allow_private_network: bool = False

    @field_validator("webhook_url")
    @classmethod
    def validate_webhook_url(cls, v: str) -> str:
        """An ``http://`` or ``https://`` URL with a host."""
        parts = urlsplit(v)
        if parts.scheme not in {"http", "https"}:
            raise ValueError(f"webhook_url scheme must be http or https, got {parts.scheme!r}")
        if not parts.hostname:
            raise ValueError("webhook_url has no host")
        return v

    @field_validator("secret", "rotating_secrets")
    @classmethod
    def _long_enough(
        cls, v: SecretStr | list[SecretStr] | None
    ) -> SecretStr | list[SecretStr] | None:
        values = v if isinstance(v, list) else [v] if v is not None else []
        for secret in values:
            if len(secret.get_secret_value()) < 8:
                raise ValueError("a webhook secret must have at least 8 characters")
        return v

    @model_validator(mode="after")
    def _public_unless_allowed(self) -> HTTPProviderConfig:
        host = urlsplit(self.webhook_url).hostname or ""
        if _is_private(host) and not self.allow_private_network:
            raise ValueError(
                f"webhook_url points at a local or private address ({host}); set "
                "allow_private_network=True if that is intended"
            )
        if self.rotating_secrets and self.secret is None:
            raise ValueError("rotating_secrets need a secret (the current one)")
        for name in self.headers:
            if name.lower() in {SIGNATURE_HEADER.lower(), "content-type", "idempotency-key"}:
                raise ValueError(f"headers may not set {name!r}: the provider sets it")
        return self

    def signing_secrets(self) -> list[str]:
        """The plain text of ``secret`` and ``rotating_secrets`` (empty: nothing is signed)."""
        if self.secret is None:
            return []
        return [s.get_secret_value() for s in (self.secret, *self.rotating_secrets)]

    def plain_headers(self) -> dict[str, str]:
        """``headers`` in plain text, to send."""
        return {name: value.get_secret_value() for name, value in self.headers.items()}
