"""Configuration models of the Twilio providers (RoomKit 0.6.7's fields, plus optional ones).

Secrets are :class:`~pydantic.SecretStr`: they never appear in a ``repr``, a log line or a
configuration error.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator

__all__ = ["TWILIO_API_BASE", "TwilioConfig", "TwilioRCSConfig", "TwilioWhatsAppConfig"]

#: Where the Twilio REST API lives.
TWILIO_API_BASE = "https://api.twilio.com"


class _TwilioAccount(BaseModel):
    """Account credentials and transport settings every Twilio provider shares."""

    account_sid: str = Field(min_length=2, description="Account SID (AC...)")
    auth_token: SecretStr = Field(description="Auth token: authenticates sends, signs webhooks")
    timeout: float = Field(default=10.0, gt=0, description="Seconds for each API call")
    status_callback: str | None = Field(
        default=None,
        description="URL Twilio posts status callbacks to (the channel's webhook route)",
    )
    api_base_url: str = Field(
        default=TWILIO_API_BASE,
        description="Base URL of the REST API (a proxy or a local fake in tests)",
    )
    webhook_signing_key: SecretStr | None = Field(
        default=None,
        description="SharedKey secret, when webhooks are signed with a key instead of the "
        "auth token (X-Twilio-Webhooks-Signature-Settings)",
    )

    @field_validator("api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("api_base_url must be an http(s) URL")
        return value.rstrip("/")

    @property
    def api_url(self) -> str:
        """The Messages resource of the account (RoomKit 0.6.7's property)."""
        return f"{self.api_base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"


class TwilioConfig(_TwilioAccount):
    """Twilio SMS / MMS: the default sender is ``from_number``, or the Messaging Service
    ``messaging_service_sid`` when given (Twilio then picks the number)."""

    from_number: str = Field(description="Default sender, E.164")
    messaging_service_sid: str | None = Field(default=None, description="Messaging Service MG...")


class TwilioRCSConfig(_TwilioAccount):
    """Twilio RCS: messages go through an RCS-enabled Messaging Service, which falls back to
    SMS for phones without RCS unless the send asks for RCS only."""

    messaging_service_sid: str = Field(description="RCS-enabled Messaging Service MG...")


class TwilioWhatsAppConfig(_TwilioAccount):
    """WhatsApp through Twilio: ``from_number`` is the WhatsApp-enabled sender (E.164, the
    ``whatsapp:`` prefix is added), or ``messaging_service_sid``."""

    from_number: str = Field(description="WhatsApp sender, E.164")
    messaging_service_sid: str | None = Field(default=None, description="Messaging Service MG...")
