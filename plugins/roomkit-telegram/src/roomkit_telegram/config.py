"""``TelegramConfig``: the bot token, the webhook secret token and limits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from roomkit.providers.vendor_http import check_vendor_url

__all__ = ["TelegramConfig"]


class TelegramConfig(BaseModel):
    """Configuration of :class:`~roomkit_telegram.provider.TelegramBotProvider`.

    RoomKit 0.6.7's fields (``bot_token``, ``webhook_secret``, ``timeout``), plus:

    * ``api_url`` -- the Bot API root (a local Bot API server, or a test server on
      ``http://127.0.0.1``);
    * ``max_photo_bytes`` / ``max_file_bytes`` -- media whose known size is above what
      Telegram fetches by URL (5 MB photos, 20 MB other files) are refused before any call;
    * ``allowed_updates`` -- the update kinds asked for in ``setWebhook`` / ``getUpdates``.

    Webhooks are verified with ``webhook_secret`` (Telegram sends it back in
    ``X-Telegram-Bot-Api-Secret-Token`` once given to ``setWebhook``); without it no webhook
    route is mounted. It may hold 1-256 characters ``A-Z a-z 0-9 _ -``.
    """

    model_config = ConfigDict(hide_input_in_errors=True)  # errors never echo a secret

    bot_token: SecretStr
    webhook_secret: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)
    api_url: str = "https://api.telegram.org"
    max_photo_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_file_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    allowed_updates: list[str] = Field(
        default_factory=lambda: ["message", "edited_message", "callback_query"]
    )

    @field_validator("api_url")
    @classmethod
    def _secure_api_url(cls, value: str) -> str:
        return check_vendor_url(value.rstrip("/"), "api_url")

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        if ":" not in token or any(c.isspace() or c == "/" for c in token):
            raise ValueError("bot_token must look like <bot id>:<secret> (from @BotFather)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if not 1 <= len(secret) <= 256 or not all(c.isalnum() or c in "_-" for c in secret):
            raise ValueError("webhook_secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def base_url(self) -> str:
        """The bot's method root (``{api_url}/bot<token>``; it holds the token)."""
        return f"{self.api_url}/bot{self.bot_token.get_secret_value()}"

    @property
    def file_url(self) -> str:
        """The bot's file download root (``{api_url}/file/bot<token>``)."""
        return f"{self.api_url}/file/bot{self.bot_token.get_secret_value()}"
