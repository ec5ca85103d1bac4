"""Bot Framework authentication, both ways.

**Inbound** (:class:`BotFrameworkTokenVerifier`): the Bot Connector service calls the bot's
endpoint with ``Authorization: Bearer <JWT>``. The token is checked the way botbuilder's
``JwtTokenValidation`` / ``ChannelValidation`` check it:

* the issuer is ``https://api.botframework.com`` and the audience is the bot's app id;
* the signature verifies with a key (``kid``) of the JWKS that the Bot Framework's OpenID
  metadata document points to (RS256 / RS384 / RS512 only), keys cached a day and refreshed
  at most hourly when an unknown ``kid`` shows up (forged ``kid`` values cannot make the bot
  hammer the key endpoint);
* the token is within its ``nbf`` / ``exp`` window with five minutes' leeway, measured at the
  time the request was received (a replayed request past its token's life is ``expired``);
* the key's endorsements include the activity's ``channelId`` (``msteams``);
* the token's ``serviceurl`` claim equals the activity's ``serviceUrl``: the token covers no
  body, so this is what stops a captured token from sending the bot's replies elsewhere.

Each verifier keeps its own key cache (botbuilder's is process-global), and fetches keys with
a timeout.

**Outbound** (:class:`BotTokenSource`): the bot's own token for the Bot Connector REST API,
from the Entra ID token endpoint (client credentials with the app password, or a client
assertion signed with the bot's certificate), cached until five minutes before it expires,
one request at a time however many sends wait for it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

from roomkit.errors import WebhookError, WebhookSignatureError
from roomkit.messaging.webhook import WebhookRequest, WebhookVerifier
from roomkit.models.delivery import ProviderResult
from roomkit.providers.vendor_http import call_vendor, check_vendor_url, redactor_for
from roomkit_teams.config import TeamsConfig

__all__ = [
    "ALLOWED_ALGORITHMS",
    "BOTFRAMEWORK_ISSUER",
    "BotFrameworkTokenVerifier",
    "BotTokenSource",
    "OpenIdKeys",
    "TeamsKeysUnavailableError",
]

#: The issuer of the tokens the Bot Connector service sends to bots.
BOTFRAMEWORK_ISSUER = "https://api.botframework.com"
#: The algorithms botbuilder accepts on inbound tokens.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")

_DAY = 24 * 3600.0
_HOUR = 3600.0


class TeamsKeysUnavailableError(WebhookError):
    """The Bot Framework's signing keys could not be fetched: answer 503 so the Bot
    Connector tries again later (the request itself may be fine)."""

    status_code = 503


@dataclass(frozen=True)
class _Key:
    public_key: Any
    endorsements: tuple[str, ...]


class OpenIdKeys:
    """The signing keys behind an OpenID metadata document (its ``jwks_uri``), cached."""

    def __init__(self, metadata_url: str, *, timeout: float) -> None:
        self._url = metadata_url
        self._timeout = timeout
        self._keys: dict[str, _Key] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        try:
            with httpx.Client(timeout=self._timeout) as client:
                metadata = client.get(self._url)
                metadata.raise_for_status()
                jwks_uri = check_vendor_url(str(metadata.json()["jwks_uri"]), "jwks_uri")
                answer = client.get(jwks_uri)
                answer.raise_for_status()
                listed = answer.json()["keys"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise TeamsKeysUnavailableError(
                f"the Bot Framework signing keys could not be fetched ({type(exc).__name__}); "
                "check openid_metadata_url and the network"
            ) from None
        keys: dict[str, _Key] = {}
        for item in listed if isinstance(listed, list) else []:
            if not isinstance(item, dict) or not item.get("kid") or item.get("kty") != "RSA":
                continue
            endorsements = item.get("endorsements")
            keys[str(item["kid"])] = _Key(
                RSAAlgorithm.from_jwk(json.dumps(item)),
                tuple(str(e) for e in endorsements) if isinstance(endorsements, list) else (),
            )
        self._keys = keys
        self._fetched_at = time.monotonic()

    def find(self, kid: str) -> _Key | None:
        """The key ``kid``: keys older than a day are refetched first; an unknown ``kid``
        refetches them when the last fetch is over an hour old."""
        with self._lock:
            age = None if self._fetched_at is None else time.monotonic() - self._fetched_at
            stale = age is None or age > _DAY
            if stale or (kid not in self._keys and age is not None and age > _HOUR):
                self._refresh()
            return self._keys.get(kid)


def _bearer(request: WebhookRequest) -> str:
    header = request.header("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not token.strip():
        raise WebhookSignatureError(
            "no Bot Framework token: the request needs 'Authorization: Bearer <JWT>'",
            reason="missing",
        )
    return token.strip()


def _body_facts(request: WebhookRequest) -> tuple[str | None, str | None]:
    """The activity's ``serviceUrl`` and ``channelId`` when the body is a JSON object."""
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    service_url, channel = data.get("serviceUrl"), data.get("channelId")
    return (
        service_url if isinstance(service_url, str) else None,
        channel if isinstance(channel, str) else None,
    )


class BotFrameworkTokenVerifier(WebhookVerifier):
    """Checks the Bot Framework JWT of an inbound activity (see the module docstring)."""

    def __init__(self, config: TeamsConfig, *, keys: OpenIdKeys | None = None) -> None:
        self._app_id = config.app_id
        self._leeway = config.clock_tolerance_seconds
        self._keys = keys or OpenIdKeys(config.openid_metadata_url, timeout=config.timeout)

    def verify(self, request: WebhookRequest) -> None:
        token = _bearer(request)
        claims = self.claims(token, now=request.received_at)
        service_url, channel = _body_facts(request)
        if service_url is not None and claims.get("serviceurl") != service_url:
            raise WebhookSignatureError(
                "the token's serviceurl claim does not match the activity's serviceUrl"
            )
        endorsements = claims.pop("_endorsements", ())
        if channel is not None and endorsements and channel not in endorsements:
            raise WebhookSignatureError(f"the signing key is not endorsed for channel {channel!r}")

    def claims(self, token: str, *, now: float | None = None) -> dict[str, Any]:
        """The verified claims of ``token`` (``_endorsements``: the signing key's)."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise WebhookSignatureError("the Bot Framework token is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise WebhookSignatureError(f"token algorithm {algorithm!r} is not allowed")
        if unverified.get("iss") != BOTFRAMEWORK_ISSUER:
            raise WebhookSignatureError("the token was not issued by the Bot Framework")
        kid = header.get("kid")
        key = self._keys.find(str(kid)) if kid else None
        if key is None:
            raise WebhookSignatureError("the token's signing key is not a Bot Framework key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=[str(algorithm)],
                audience=self._app_id,
                issuer=BOTFRAMEWORK_ISSUER,
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidAudienceError:
            raise WebhookSignatureError("the token is for another bot (audience)") from None
        except jwt.PyJWTError:
            raise WebhookSignatureError("the token's signature does not verify") from None
        at = time.time() if now is None else now
        expires, not_before = claims.get("exp"), claims.get("nbf")
        if not isinstance(expires, int | float):
            raise WebhookSignatureError("the token has no expiry")
        if at > expires + self._leeway:
            raise WebhookSignatureError("the token has expired (a replay?)", reason="expired")
        if isinstance(not_before, int | float) and at < not_before - self._leeway:
            raise WebhookSignatureError("the token is not valid yet")
        claims["_endorsements"] = key.endorsements
        return claims


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class BotTokenSource:
    """The bot's access token for the Bot Connector (see the module docstring)."""

    def __init__(self, config: TeamsConfig, client: httpx.AsyncClient, *, provider: str) -> None:
        self._config = config
        self._client = client
        self._provider = provider
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        password = config.app_password.get_secret_value() if config.app_password else None
        key = config.certificate_private_key
        self.redactor = redactor_for([password, key.get_secret_value() if key else None])

    def forget(self) -> None:
        """Drop the cached token (the Bot Connector refused it)."""
        self._token = None
        self._expires_at = 0.0

    def _assertion(self) -> str:
        config = self._config
        key = config.certificate_private_key
        assert key is not None
        assert config.certificate_thumbprint
        headers: dict[str, Any] = {
            "x5t": _b64url(bytes.fromhex(config.certificate_thumbprint.replace(":", "")))
        }
        if config.certificate_public:
            body = "".join(
                line
                for line in config.certificate_public.strip().splitlines()
                if not line.startswith("-----")
            )
            headers["x5c"] = [body]
        now = int(time.time())
        claims = {
            "aud": config.token_url,
            "iss": config.app_id,
            "sub": config.app_id,
            "jti": str(uuid.uuid4()),
            "nbf": now,
            "exp": now + 600,
        }
        return jwt.encode(claims, key.get_secret_value(), algorithm="RS256", headers=headers)

    def _form(self) -> dict[str, str]:
        config = self._config
        form = {
            "grant_type": "client_credentials",
            "client_id": config.app_id,
            "scope": config.oauth_scope,
        }
        if config.uses_certificate_auth:
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            form["client_assertion"] = self._assertion()
        else:
            assert config.app_password is not None
            form["client_secret"] = config.app_password.get_secret_value()
        return form

    async def token(self) -> str | ProviderResult:
        """A valid access token, or the failed result of getting one."""
        async with self._lock:
            if self._token is not None and time.monotonic() < self._expires_at:
                return self._token
            outcome = await call_vendor(
                self._provider,
                self._client.post(self._config.token_url, data=self._form()),
                timeout=self._config.timeout,
                redactor=self.redactor,
            )
            if isinstance(outcome, ProviderResult):
                outcome.error = f"getting the bot's token failed: {outcome.error}"
                return outcome
            try:
                data = outcome.json()
                token = str(data["access_token"])
                lifetime = float(data.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError):
                return ProviderResult.failed(
                    f"{self._provider}: the token endpoint answered without an access_token",
                    retryable=True,
                )
            self._token = token
            self._expires_at = time.monotonic() + max(lifetime - 300.0, lifetime / 2)
            return token
