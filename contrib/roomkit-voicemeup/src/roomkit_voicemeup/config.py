"""``VoiceMeUpConfig``: RoomKit 0.6.7's fields, plus the webhook token and MMS settings."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

__all__ = ["VoiceMeUpConfig"]

_BASES = {
    "production": "https://clients.voicemeup.com/api/v1.1/json/",
    "sandbox": "https://dev-clients.voicemeup.com/api/v1.1/json/",
}


class VoiceMeUpConfig(BaseModel):
    """VoiceMeUp SMS / MMS.

    ``environment`` ``"sandbox"`` uses VoiceMeUp's test API (anything else production);
    ``api_base_url`` overrides both (a proxy, or a local fake). VoiceMeUp does not sign its
    webhooks: ``webhook_token`` is a secret you put in the callback URL you give VoiceMeUp
    (``https://hooks.example.com/webhooks/sms?token=<webhook_token>``), checked on every
    webhook. ``mms_timeout_seconds``: how long the first part of a split MMS waits for its
    picture.
    """

    username: str = Field(min_length=1, description="API user name")
    auth_token: SecretStr = Field(description="API user's auth token")
    from_number: str = Field(description="Default sender, E.164")
    environment: str = Field(default="production", description="production or sandbox")
    timeout: float = Field(default=10.0, gt=0, description="Seconds for each API call")
    webhook_token: SecretStr | None = Field(
        default=None, description="Secret expected as ?token= on every webhook"
    )
    api_base_url: str | None = Field(default=None, description="Overrides the environment's URL")
    mms_timeout_seconds: float = Field(default=5.0, gt=0, description="MMS reassembly wait")

    @property
    def base_url(self) -> str:
        """The API base URL, ending with ``/``."""
        if self.api_base_url:
            return self.api_base_url.rstrip("/") + "/"
        return _BASES.get(self.environment, _BASES["production"])
