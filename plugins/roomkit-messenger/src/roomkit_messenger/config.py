"""``MessengerConfig``: the page access token, the app secret and the webhook verify token."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from roomkit.providers.vendor_http import check_vendor_url

__all__ = ["MessengerConfig"]


class MessengerConfig(BaseModel):
    """Configuration of :class:`~roomkit_messenger.provider.FacebookMessengerProvider`.

    RoomKit 0.6.7's fields (``page_access_token``, ``app_secret``, ``api_version``,
    ``timeout``), plus:

    * ``verify_token`` -- the token you typed in the app dashboard; Meta's subscription
      handshake (``GET ?hub.verify_token=...&hub.challenge=...``) is answered only when it
      matches;
    * ``page_id`` -- send as this page (``/{page_id}/messages``) instead of ``/me/messages``;
    * ``messaging_type`` -- ``RESPONSE`` (within 24 hours of the user's message) or
      ``UPDATE``; an event whose ``metadata["messenger_tag"]`` is set goes out as a
      ``MESSAGE_TAG`` message with that tag;
    * ``graph_url`` -- the Graph API root (a proxy, or a local test server on
      ``http://127.0.0.1``);
    * ``max_media_bytes`` -- media whose known size is above this are refused before sending
      (Messenger takes attachments up to 25 MB).

    Webhooks are verified with ``app_secret`` (``X-Hub-Signature-256``); without it no webhook
    route is mounted.
    """

    model_config = ConfigDict(hide_input_in_errors=True)  # errors never echo a secret

    page_access_token: SecretStr
    app_secret: SecretStr | None = None
    api_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    timeout: float = Field(default=30.0, gt=0)
    verify_token: SecretStr | None = None
    page_id: str | None = Field(default=None, pattern=r"^\d+$")
    messaging_type: Literal["RESPONSE", "UPDATE"] = "RESPONSE"
    graph_url: str = "https://graph.facebook.com"
    max_media_bytes: int = Field(default=25 * 1024 * 1024, gt=0)

    @field_validator("graph_url")
    @classmethod
    def _secure_graph_url(cls, value: str) -> str:
        return check_vendor_url(value.rstrip("/"), "graph_url")

    @property
    def base_url(self) -> str:
        """The versioned Graph API root (``https://graph.facebook.com/v21.0``)."""
        return f"{self.graph_url}/{self.api_version}"

    @property
    def messages_url(self) -> str:
        """The Send API endpoint."""
        return f"{self.base_url}/{self.page_id or 'me'}/messages"
