"""Configuration models of the Telnyx providers (RoomKit 0.6.7's fields, plus optional ones).

Secrets are :class:`~pydantic.SecretStr`; the webhook public key is not a secret.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator

__all__ = ["TELNYX_API_BASE", "TelnyxConfig", "TelnyxRCSConfig"]

#: Where the Telnyx API v2 lives.
TELNYX_API_BASE = "https://api.telnyx.com"


class _TelnyxAccount(BaseModel):
    """Credentials and transport settings both Telnyx providers share."""

    api_key: SecretStr = Field(description="API v2 key (KEY...)")
    messaging_profile_id: str | None = Field(default=None, description="Messaging profile")
    timeout: float = Field(default=10.0, gt=0, description="Seconds for each API call")
    public_key: str | None = Field(
        default=None,
        description="The account's base64 ed25519 public key: verifies webhook signatures",
    )
    webhook_url: str | None = Field(
        default=None, description="URL Telnyx posts this message's events to (per message)"
    )
    webhook_tolerance_seconds: float = Field(
        default=300.0, gt=0, description="How old a signed webhook may be (replay window)"
    )
    api_base_url: str = Field(
        default=TELNYX_API_BASE, description="Base URL of the API (a proxy or a local fake)"
    )

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("api_base_url must be an http(s) URL")
        return value.rstrip("/")


class TelnyxConfig(_TelnyxAccount):
    """Telnyx SMS / MMS from ``from_number``."""

    from_number: str = Field(description="Default sender, E.164")


class TelnyxRCSConfig(_TelnyxAccount):
    """Telnyx RCS from the agent ``agent_id``; with ``fallback_from`` (an SMS-capable number
    of the account), phones without RCS get the message by SMS / MMS instead."""

    agent_id: str = Field(min_length=1, description="RCS agent id")
    fallback_from: str | None = Field(
        default=None, description="Sender of the SMS / MMS fallback (E.164)"
    )
