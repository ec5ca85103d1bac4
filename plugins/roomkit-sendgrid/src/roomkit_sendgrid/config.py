"""``SendGridConfig``: the API key, the sender, and the webhook verification keys."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator

from roomkit.providers.vendor_http import check_vendor_url

__all__ = ["SendGridConfig"]


class SendGridConfig(BaseModel):
    """Configuration of :class:`~roomkit_sendgrid.provider.SendGridProvider`.

    RoomKit 0.6.7's fields (``base_url`` is the full v3 Mail Send URL), plus:

    * ``event_webhook_public_key`` -- the verification key of the **Signed Event Webhook**
      (Settings > Mail Settings > Event Webhooks, "Enable Signed Event Webhook"): base64 DER,
      as SendGrid shows it, or PEM;
    * ``inbound_parse_public_key`` -- the public key of the **Inbound Parse** webhook's
      security policy (signature verification enabled);
    * ``webhook_tolerance_seconds`` -- signed timestamps further from now are refused;
    * ``max_inbound_attachment_bytes`` -- received attachments up to this size become
      ``data:`` URL media of the message; larger ones are listed in its metadata only;
    * ``max_attachment_bytes`` -- the largest outgoing attachment (``data:`` URL media).

    Webhooks are only accepted signed: without a key, its kind of webhook is refused, and
    with neither key no webhook route is mounted.
    """

    api_key: SecretStr
    from_email: str = Field(min_length=3)
    from_name: str | None = None
    base_url: str = "https://api.sendgrid.com/v3/mail/send"
    timeout: float = Field(default=30.0, gt=0)
    event_webhook_public_key: str | None = None
    inbound_parse_public_key: str | None = None
    webhook_tolerance_seconds: float = Field(default=600.0, gt=0)
    default_subject: str = "(no subject)"
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_inbound_attachment_bytes: int = Field(default=256 * 1024, ge=0)

    @field_validator("base_url")
    @classmethod
    def _secure_base_url(cls, value: str) -> str:
        return check_vendor_url(value, "base_url")

    @field_validator("event_webhook_public_key", "inbound_parse_public_key")
    @classmethod
    def _a_public_key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from roomkit_sendgrid.signature import load_public_key  # lazy: imports cryptography

        load_public_key(value)  # raises ValueError naming the problem
        return value.strip()
