"""``TeamsConfig``: the Azure Bot registration a ``BotFrameworkTeamsProvider`` acts as.

RoomKit 0.6.7's fields (``app_id``, ``app_password``, ``tenant_id``, certificate fields), plus
the endpoints the Bot Framework uses (overridable for a sovereign cloud, a proxy, or a local
fake in tests) and a request timeout. Secrets are :class:`~pydantic.SecretStr`: they never show
in a ``repr``, a log line or a validation error.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from roomkit.providers.vendor_http import check_vendor_url

__all__ = ["BOTFRAMEWORK_OPENID_URL", "LOGIN_URL", "TeamsConfig"]

#: Where the Bot Connector service publishes the keys that sign its tokens.
BOTFRAMEWORK_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
#: Microsoft Entra ID, which issues the bot's own tokens for calls to the Bot Connector.
LOGIN_URL = "https://login.microsoftonline.com"
#: The tenant a multi-tenant bot asks for its tokens (botbuilder's default).
_MULTI_TENANT = "botframework.com"


class TeamsConfig(BaseModel):
    """The bot's Microsoft App registration.

    Authenticate with ``app_password`` (a client secret), or with a certificate:
    ``certificate_thumbprint`` (hex SHA-1 of the certificate) and
    ``certificate_private_key`` (PEM), optionally ``certificate_public`` (PEM, sent as
    ``x5c`` for subject-name/issuer authentication). ``tenant_id`` ``"common"`` means a
    multi-tenant bot (tokens from the ``botframework.com`` tenant, as botbuilder does).
    """

    app_id: str = Field(min_length=1, description="Microsoft App ID of the bot")
    app_password: SecretStr | None = Field(default=None, description="Client secret")
    tenant_id: str = Field(default="common", description="Tenant of a single-tenant bot")
    certificate_thumbprint: str | None = Field(default=None, description="Hex SHA-1 thumbprint")
    certificate_private_key: SecretStr | None = Field(default=None, description="PEM key")
    certificate_public: str | None = Field(default=None, description="PEM certificate (x5c)")
    timeout: float = Field(default=10.0, gt=0, description="Seconds for each HTTP call")
    openid_metadata_url: str = Field(
        default=BOTFRAMEWORK_OPENID_URL,
        description="OpenID metadata of the Bot Connector service (its JWKS signs inbound tokens)",
    )
    login_url: str = Field(
        default=LOGIN_URL, description="Entra ID base URL the bot's own tokens come from"
    )
    oauth_scope: str = Field(
        default="https://api.botframework.com/.default",
        description="Scope of the bot's tokens for the Bot Connector",
    )
    clock_tolerance_seconds: float = Field(
        default=300.0, ge=0, description="Leeway on inbound token times (botbuilder: 5 minutes)"
    )

    @field_validator("openid_metadata_url", "login_url")
    @classmethod
    def _secure(cls, value: str, info: object) -> str:
        name = getattr(info, "field_name", "url")
        return check_vendor_url(value, name).rstrip("/")

    @model_validator(mode="after")
    def _credentials(self) -> TeamsConfig:
        if self.app_password is None and not self.uses_certificate_auth:
            raise ValueError(
                "give app_password (client secret), or certificate_thumbprint and "
                "certificate_private_key (certificate authentication)"
            )
        return self

    @property
    def uses_certificate_auth(self) -> bool:
        """Whether the bot authenticates with a certificate rather than a secret."""
        return bool(self.certificate_thumbprint and self.certificate_private_key)

    @property
    def token_tenant(self) -> str:
        """The tenant whose token endpoint issues the bot's tokens."""
        tenant = self.tenant_id.strip()
        return _MULTI_TENANT if tenant in ("", "common") else tenant

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint of :attr:`token_tenant`."""
        return f"{self.login_url}/{self.token_tenant}/oauth2/v2.0/token"
