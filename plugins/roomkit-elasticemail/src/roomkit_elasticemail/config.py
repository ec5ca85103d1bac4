"""``ElasticEmailConfig``: the API key, the sender, and the notification token."""

from __future__ import annotations

from email.utils import formataddr

from pydantic import BaseModel, Field, SecretStr, field_validator

from roomkit.providers.vendor_http import check_vendor_url

__all__ = ["ElasticEmailConfig"]

#: The Elastic Email REST API v4 root.
API_ROOT = "https://api.elasticemail.com/v4"


class ElasticEmailConfig(BaseModel):
    """Configuration of :class:`~roomkit_elasticemail.provider.ElasticEmailProvider`.

    RoomKit 0.6.7's fields, with ``base_url`` now the **v4** API root (0.6.7 posted forms to
    the v2 ``/email/send``; a v2 URL is refused with a message saying so). Plus:

    * ``webhook_token`` -- a random secret you put in the notification URL configured in
      Elastic Email (``https://hooks.example.com/webhooks/mail?token=<webhook_token>``).
      Elastic Email does not sign its notifications: the token is what tells them from
      forgeries, so keep the URL secret and use HTTPS. Without it no notification route is
      mounted.
    * ``channel_name`` -- the Elastic Email channel (reporting group) of the sends;
    * ``max_attachment_bytes`` -- the largest attachment (``data:`` URL media) accepted.
    """

    api_key: SecretStr
    from_email: str = Field(min_length=3)
    from_name: str | None = None
    is_transactional: bool = True
    base_url: str = API_ROOT
    timeout: float = Field(default=30.0, gt=0)
    webhook_token: SecretStr | None = None
    channel_name: str | None = None
    default_subject: str = "(no subject)"
    max_attachment_bytes: int = Field(default=10 * 1024 * 1024, gt=0)

    @field_validator("base_url")
    @classmethod
    def _v4_root(cls, value: str) -> str:
        root = check_vendor_url(value.rstrip("/"), "base_url")
        if "/v2/" in root + "/":
            raise ValueError(
                "base_url is the v4 API root (default https://api.elasticemail.com/v4); "
                "the v2 /email/send endpoint RoomKit 0.6.7 used is not spoken any more"
            )
        return root

    @field_validator("webhook_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("webhook_token must have at least 16 characters (use a random one)")
        return value

    @property
    def send_url(self) -> str:
        """``/emails/transactional`` (``is_transactional``) or ``/emails`` under the root."""
        return (
            f"{self.base_url}/emails/transactional"
            if self.is_transactional
            else (f"{self.base_url}/emails")
        )

    @property
    def sender(self) -> str:
        """``"Name <address>"`` or the bare address."""
        return formataddr((self.from_name, self.from_email)) if self.from_name else self.from_email
