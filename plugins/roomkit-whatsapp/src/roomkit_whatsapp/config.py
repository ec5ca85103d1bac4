"""``WhatsAppCloudConfig``: the business phone number, its access token and the app secret."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from roomkit.providers.vendor_http import check_vendor_url

__all__ = ["WhatsAppCloudConfig"]


class WhatsAppCloudConfig(BaseModel):
    """Configuration of :class:`~roomkit_whatsapp.provider.WhatsAppCloudProvider`.

    * ``access_token`` -- a system-user (or temporary) token with ``whatsapp_business_
      messaging``;
    * ``phone_number_id`` -- the business number's id (not the number itself);
    * ``app_secret`` -- verifies webhooks (``X-Hub-Signature-256``); without it no webhook
      route is mounted;
    * ``verify_token`` -- the token typed in the app dashboard, checked in Meta's
      subscription handshake;
    * ``default_language`` -- the language code of templates that name none;
    * ``graph_url`` -- the Graph API root (a proxy, or a local test server on
      ``http://127.0.0.1``);
    * ``max_image_bytes`` / ``max_media_bytes`` -- media whose known size is above the Cloud
      API's limits (5 MB for images, 16 MB for audio and video, 100 MB for documents) are
      refused before any call.
    """

    model_config = ConfigDict(hide_input_in_errors=True)  # errors never echo a secret

    access_token: SecretStr
    phone_number_id: str = Field(pattern=r"^\d+$")
    app_secret: SecretStr | None = None
    verify_token: SecretStr | None = None
    api_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    timeout: float = Field(default=30.0, gt=0)
    default_language: str = Field(default="en_US", min_length=2)
    graph_url: str = "https://graph.facebook.com"
    max_image_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_media_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    max_document_bytes: int = Field(default=100 * 1024 * 1024, gt=0)

    @field_validator("graph_url")
    @classmethod
    def _secure_graph_url(cls, value: str) -> str:
        return check_vendor_url(value.rstrip("/"), "graph_url")

    @property
    def base_url(self) -> str:
        """The versioned Graph API root."""
        return f"{self.graph_url}/{self.api_version}"

    @property
    def messages_url(self) -> str:
        """The messages endpoint of the business number."""
        return f"{self.base_url}/{self.phone_number_id}/messages"
