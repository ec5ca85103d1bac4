"""``SinchConfig``: the service plan, its API token, the sender and the callback secret."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from roomkit.providers.vendor_http import check_vendor_url

__all__ = ["SinchConfig"]

DeliveryReport = Literal["none", "summary", "full", "per_recipient", "per_recipient_final"]


class SinchConfig(BaseModel):
    """Configuration of :class:`~roomkit_sinch.provider.SinchSMSProvider`.

    RoomKit 0.6.7's fields, plus:

    * ``base_url`` -- the API root instead of ``https://{region}.sms.api.sinch.com`` (a
      proxy, or a local test server on ``http://127.0.0.1``);
    * ``callback_url`` -- where Sinch posts this batch's delivery reports (``None``: the
      service plan's default callback URL);
    * ``delivery_report`` -- the report kind asked for each batch (``per_recipient``: one
      callback per recipient and status change);
    * ``rotating_webhook_secrets`` -- other callback secrets accepted while rotating;
    * ``webhook_tolerance_seconds`` -- signed callbacks older (or newer) than this are
      refused as replays.

    Callbacks are verified with ``webhook_secret`` (Sinch's HMAC callback signing, set up
    for the service plan by your Sinch account manager); without it no webhook route is
    mounted.
    """

    service_plan_id: str = Field(min_length=1)
    api_token: SecretStr
    from_number: str = Field(min_length=1)
    region: Literal["us", "eu", "au", "br", "ca"] = "us"
    webhook_secret: SecretStr | None = None
    timeout: float = Field(default=10.0, gt=0)
    base_url: str | None = None
    callback_url: str | None = None
    delivery_report: DeliveryReport = "per_recipient"
    rotating_webhook_secrets: list[SecretStr] = Field(default_factory=list)
    webhook_tolerance_seconds: float = Field(default=300.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _secure_base_url(cls, value: str | None) -> str | None:
        return None if value is None else check_vendor_url(value.rstrip("/"), "base_url")

    @field_validator("callback_url")
    @classmethod
    def _http_callback(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("callback_url must be an http(s) URL")
        return value

    @field_validator("service_plan_id")
    @classmethod
    def _plain_plan_id(cls, value: str) -> str:
        if not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError("service_plan_id may hold letters, digits, '-' and '_' only")
        return value

    @model_validator(mode="after")
    def _rotation_needs_a_secret(self) -> SinchConfig:
        if self.rotating_webhook_secrets and self.webhook_secret is None:
            raise ValueError("rotating_webhook_secrets need webhook_secret (the current one)")
        return self

    @property
    def api_root(self) -> str:
        """The API root (``base_url`` or the region's)."""
        return self.base_url or f"https://{self.region}.sms.api.sinch.com"

    @property
    def api_url(self) -> str:
        """The batches endpoint of the service plan."""
        return f"{self.api_root}/xms/v1/{self.service_plan_id}/batches"

    def webhook_secrets(self) -> list[str]:
        """The plain text of every accepted callback secret (empty: no webhooks)."""
        if self.webhook_secret is None:
            return []
        return [s.get_secret_value() for s in (self.webhook_secret, *self.rotating_webhook_secrets)]
