"""A wire fake of the Microsoft Bot Framework, as a Teams bot sees it.

:class:`BotConnectorWire` serves, on one local port:

* the **OpenID metadata** of the Bot Connector service
  (``GET /v1/.well-known/openidconfiguration`` -> ``{"issuer", "jwks_uri", ...}``) and its
  **JWKS** (``GET /v1/.well-known/keys``: an RSA key generated for the run, with
  ``endorsements: ["msteams"]``), which sign the tokens of inbound activities;
* the **Entra ID token endpoint** (``POST /{tenant}/oauth2/v2.0/token``, client credentials
  with ``client_secret`` or a ``client_assertion`` signed by a registered certificate key):
  ``{"token_type": "Bearer", "expires_in", "access_token"}``, or ``401 invalid_client``;
* the **Bot Connector REST API v3** under the service URL (``{url}/amer/``):
  ``POST /v3/conversations`` (create; ``201 {"id"}``),
  ``POST /v3/conversations/{id}/activities[/{replyToId}]`` (``201 {"id"}``; ``404
  ConversationNotFound`` for a conversation it does not know, ``401`` without a token it
  issued, ``400 BadArgument`` for an activity without a type), ``PUT`` / ``DELETE`` of an
  activity.

:meth:`BotConnectorWire.channel_token` mints the ``Authorization`` token the Bot Connector
puts on the activities it posts to a bot (issuer ``https://api.botframework.com``, audience
the app id, ``serviceurl`` claim), and the activity builders (:meth:`message_activity`,
:meth:`conversation_update`, :meth:`reaction_activity`) give the JSON Teams sends. Needs
``PyJWT[crypto]`` (the ``teams`` extra of roomkit-conformance).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer

__all__ = ["ISSUER", "BotConnectorWire"]

#: The issuer of channel -> bot tokens.
ISSUER = "https://api.botframework.com"
_OPENID = "/v1/.well-known/openidconfiguration"
_KEYS = "/v1/.well-known/keys"
_TOKEN = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$")
_CONVERSATIONS = re.compile(r"^(?P<prefix>/[^/]+)?/v3/conversations$")
_ACTIVITIES = re.compile(
    r"^(?P<prefix>/[^/]+)?/v3/conversations/(?P<conv>[^/]+)/activities(?:/(?P<activity>[^/]+))?$"
)


def _error(status: int, code: str, message: str) -> WireResponse:
    return WireResponse.json({"error": {"code": code, "message": message}}, status=status)


def new_rsa_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class BotConnectorWire(WireServer):
    """The Bot Framework of one bot registration (see the module docstring)."""

    def __init__(
        self,
        app_id: str = "00000000-0000-0000-0000-0000000b0751",
        app_password: str = "wire-secret-Teams-123",
        *,
        certificate_key: Any = None,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.app_id = app_id
        self.app_password = app_password
        self.certificate_key = certificate_key
        self.signing_key = new_rsa_key()
        self.kid = "wire-" + secrets.token_hex(6)
        self.endorsements = ["msteams"]
        self._issued: set[str] = set()
        self._conversations: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._guard = threading.Lock()

    # -- URLs ----------------------------------------------------------------------------
    @property
    def service_url(self) -> str:
        """The service URL activities carry (``{url}/amer/``, as Teams' regional ones)."""
        return f"{self.url}/amer/"

    @property
    def openid_url(self) -> str:
        """The OpenID metadata document's URL."""
        return self.url + _OPENID

    # -- the conversations the service knows -----------------------------------------------
    def add_conversation(self, conversation_id: str, **info: Any) -> None:
        """Make ``conversation_id`` a conversation the bot may post to."""
        with self._guard:
            self._conversations[conversation_id] = dict(info)

    def activities(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        """The activities the bot posted (to ``conversation_id``), oldest first."""
        found = []
        for request in self.requests:
            match = _ACTIVITIES.match(request.path)
            if request.method != "POST" or match is None:
                continue
            if conversation_id is not None and unquote(match["conv"]) != conversation_id:
                continue
            found.append(request.json())
        return found

    # -- tokens ------------------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        """The JWKS document (public half of :attr:`signing_key`)."""
        key = json.loads(RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        key.update(kid=self.kid, use="sig", alg="RS256", endorsements=self.endorsements)
        return {"keys": [key]}

    def channel_token(
        self,
        service_url: str | None = None,
        *,
        audience: str | None = None,
        issued_at: float | None = None,
        lifetime: float = 3600.0,
        issuer: str = ISSUER,
        key: Any = None,
        kid: str | None = None,
    ) -> str:
        """A token as the Bot Connector puts on an activity it posts to the bot."""
        now = int(time.time() if issued_at is None else issued_at)
        claims = {
            "iss": issuer,
            "aud": audience or self.app_id,
            "serviceurl": service_url or self.service_url,
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + int(lifetime),
        }
        return jwt.encode(
            claims,
            key or self.signing_key,
            algorithm="RS256",
            headers={"kid": kid or self.kid},
        )

    def authorization(self, activity: dict[str, Any], **token: Any) -> dict[str, str]:
        """The headers (lower-case) of the Bot Connector's POST of ``activity``."""
        bearer = self.channel_token(activity.get("serviceUrl"), **token)
        return {"authorization": f"Bearer {bearer}", "content-type": "application/json"}

    # -- activities Teams sends ----------------------------------------------------------------
    def _base(self, kind: str, conversation_id: str, user_id: str, **extra: Any) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": kind,
            "id": extra.pop("activity_id", None) or f"1{next(self._ids):012d}",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {
                "id": user_id,
                "name": extra.pop("user_name", "Ada"),
                "aadObjectId": str(uuid.uuid4()),
            },
            "conversation": {
                "id": conversation_id,
                "conversationType": extra.pop("conversation_type", "personal"),
                "tenantId": "wire-tenant",
            },
            "recipient": {"id": f"28:{self.app_id}", "name": "RoomKit bot"},
            "channelData": {"tenant": {"id": "wire-tenant"}},
        }
        activity.update(extra)
        return activity

    def message_activity(
        self, conversation_id: str, user_id: str, text: str, **extra: Any
    ) -> dict[str, Any]:
        """A ``message`` activity from ``user_id`` (``attachments=``, ``value=`` ...)."""
        self.add_conversation(conversation_id)
        return self._base("message", conversation_id, user_id, text=text, **extra)

    def conversation_update(
        self, conversation_id: str, user_id: str, *, added: list[str] | None = None
    ) -> dict[str, Any]:
        """A ``conversationUpdate``: ``added`` ids (default: the bot) joined."""
        self.add_conversation(conversation_id)
        members = [{"id": m} for m in (added or [f"28:{self.app_id}"])]
        return self._base("conversationUpdate", conversation_id, user_id, membersAdded=members)

    def reaction_activity(
        self, conversation_id: str, user_id: str, target: str, added: str = "like"
    ) -> dict[str, Any]:
        """A ``messageReaction`` adding ``added`` to activity ``target``."""
        return self._base(
            "messageReaction",
            conversation_id,
            user_id,
            replyToId=target,
            reactionsAdded=[{"type": added}],
        )

    # -- the service -------------------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> WireResponse:
        if request.method == "GET" and request.path == _OPENID:
            return WireResponse.json(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": "https://invalid.botframework.com",
                    "jwks_uri": self.url + _KEYS,
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                }
            )
        if request.method == "GET" and request.path == _KEYS:
            return WireResponse.json(self.jwks())
        token = _TOKEN.match(request.path)
        if token is not None and request.method == "POST":
            return self._token(request)
        created = _CONVERSATIONS.match(request.path)
        if created is not None and request.method == "POST":
            return self._authorized(request) or self._create(request)
        found = _ACTIVITIES.match(request.path)
        if found is not None:
            return self._authorized(request) or self._activity(request, found)
        return _error(404, "NotFound", "no such resource")

    def _token(self, request: RecordedRequest) -> WireResponse:
        form = request.form()
        refused = WireResponse.json(
            {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            },
            status=401,
        )
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != self.app_id:
            return refused
        if "client_assertion" in form:
            if self.certificate_key is None:
                return refused
            try:
                jwt.decode(
                    form["client_assertion"],
                    self.certificate_key.public_key(),
                    algorithms=["RS256"],
                    audience=f"{self.url}{request.path}",
                    issuer=self.app_id,
                )
            except jwt.PyJWTError:
                return refused
        elif form.get("client_secret") != self.app_password:
            return refused
        access = "wire-access-" + secrets.token_urlsafe(24)
        with self._guard:
            self._issued.add(access)
        return WireResponse.json(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": access,
            }
        )

    def _authorized(self, request: RecordedRequest) -> WireResponse | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        with self._guard:
            known = scheme == "Bearer" and token in self._issued
        if not known:
            return _error(401, "Unauthorized", "Authorization has been denied for this request.")
        return None

    def _create(self, request: RecordedRequest) -> WireResponse:
        try:
            body = request.json()
        except ValueError:
            return _error(400, "BadSyntax", "the body is not JSON")
        members = body.get("members") if isinstance(body, dict) else None
        channel = (
            ((body or {}).get("channelData") or {}).get("channel")
            if isinstance(body, dict)
            else None
        )
        if not members and not channel:
            return _error(400, "BadArgument", "members or channelData.channel is required")
        conversation_id = f"a:wire-{secrets.token_hex(8)}"
        self.add_conversation(conversation_id, created=body)
        answer: dict[str, Any] = {"id": conversation_id}
        if body.get("activity"):
            answer["activityId"] = f"1{next(self._ids):012d}"
        return WireResponse.json(answer, status=201)

    def _activity(self, request: RecordedRequest, found: re.Match[str]) -> WireResponse:
        conversation_id = unquote(found["conv"])
        with self._guard:
            known = conversation_id in self._conversations
        if not known:
            return _error(404, "ConversationNotFound", "Conversation not found.")
        if request.method == "DELETE":
            return WireResponse(200, b"{}")
        try:
            activity = request.json()
        except ValueError:
            return _error(400, "BadSyntax", "the body is not JSON")
        if not isinstance(activity, dict) or not activity.get("type"):
            return _error(400, "BadArgument", "Activity type is required")
        if request.method == "PUT":
            return WireResponse.json({"id": unquote(found["activity"] or "")})
        return WireResponse.json({"id": f"1{next(self._ids):012d}"}, status=201)
