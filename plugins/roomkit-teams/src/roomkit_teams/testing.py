"""Conformance fixture: ``BotFrameworkTeamsProvider`` over the Bot Framework wire fake.

``teams_harness()`` is an async context manager giving a
:class:`~roomkit_conformance.suites.messaging.MessagingHarness` (the descriptor's
``conformance=``): the provider talks to :class:`BotConnectorWire` for its tokens, its
signing keys and the Bot Connector REST API, over real sockets. :class:`TeamsWireView` is the
fake seen as a ``MessagingWire``. Requires ``roomkit-conformance`` (the ``test`` extra).

The Bot Framework signs no body: its JWT binds the activity's ``serviceUrl``. So a
*tampered* request here is one whose ``serviceUrl`` was changed after the token was minted
(or whose token was altered when the body carries none), and a *replayed* one arrives after
its token expired.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import Any

from roomkit.messaging.webhook import WebhookRequest
from roomkit.models.enums import DeliveryStatus
from roomkit_conformance.suites.messaging import MessagingHarness, SentMessage
from roomkit_conformance.wire.botframework import BotConnectorWire
from roomkit_conformance.wire.view import WireServerView
from roomkit_teams.config import TeamsConfig
from roomkit_teams.provider import BotFrameworkTeamsProvider

__all__ = ["HOOK_URL", "TeamsWireView", "teams_config", "teams_harness"]

#: The bot's public messaging endpoint in the fixture.
HOOK_URL = "https://bot.example.com/webhooks/teams"
#: The conversation the harness sends to (a personal chat the wire knows).
RECIPIENT = "a:conformance-chat"


def teams_config(wire: BotConnectorWire, **overrides: Any) -> TeamsConfig:
    """A configuration pointing every Bot Framework endpoint at ``wire``."""
    values: dict[str, Any] = {
        "app_id": wire.app_id,
        "app_password": wire.app_password,
        "openid_metadata_url": wire.openid_url,
        "login_url": wire.url,
        "timeout": 1.0,
    }
    values.update(overrides)
    return TeamsConfig(**values)


def _text_of(activity: dict[str, Any]) -> str:
    return str(activity.get("text") or "")


def _media_of(activity: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        str(a["contentUrl"]) for a in activity.get("attachments") or [] if a.get("contentUrl")
    )


class TeamsWireView(WireServerView):
    """A :class:`~roomkit_conformance.suites.messaging.MessagingWire` over the Bot
    Framework fake (see the module docstring)."""

    signature_headers = frozenset({"authorization"})
    fault_body = {"error": {"code": "ServiceError", "message": "scripted {status}"}}
    server: BotConnectorWire

    def __init__(self, server: BotConnectorWire) -> None:
        super().__init__(server)

    async def sent(self) -> list[SentMessage]:
        found = []
        for activity in self.server.activities():
            if activity.get("type") != "message":
                continue
            to = str((activity.get("conversation") or {}).get("id") or "")
            found.append(SentMessage(to, _text_of(activity), _media_of(activity), activity))
        return found

    def _request(self, activity: dict[str, Any], **token: Any) -> WebhookRequest:
        body = json.dumps(activity).encode()
        return WebhookRequest("POST", HOOK_URL, self.server.authorization(activity, **token), body)

    def inbound(
        self, *, sender: str, text: str, message_id: str, media: Sequence[str] = ()
    ) -> WebhookRequest:
        attachments = [
            {"contentType": "image/png", "contentUrl": url, "name": url.rsplit("/", 1)[-1]}
            for url in media
        ]
        activity = self.server.message_activity(
            f"a:chat-{sender}", sender, text, activity_id=message_id, attachments=attachments
        )
        return self._request(activity)

    def status(self, *, message_id: str, status: DeliveryStatus) -> WebhookRequest:
        raise NotImplementedError("Teams sends no delivery status callbacks")

    def signed(self, body: bytes, content_type: str) -> WebhookRequest:
        headers = {
            "authorization": f"Bearer {self.server.channel_token()}",
            "content-type": content_type,
        }
        return WebhookRequest("POST", HOOK_URL, headers, body)

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        try:
            activity = json.loads(request.body)
        except ValueError:
            activity = None
        if isinstance(activity, dict) and activity.get("serviceUrl"):
            activity["serviceUrl"] = "https://attacker.example.com/"
            return replace(request, body=json.dumps(activity).encode())
        token = (request.header("authorization") or "").removeprefix("Bearer ")
        head, payload, signature = token.split(".")
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        headers = dict(request.headers, authorization=f"Bearer {head}.{payload}.{flipped}")
        return replace(request, headers=headers)

    def replayed(self, request: WebhookRequest) -> WebhookRequest | None:
        return replace(request, received_at=request.received_at + 2 * 3600)


async def prime(provider: BotFrameworkTeamsProvider, wire: BotConnectorWire, to: str) -> None:
    """Give ``provider`` the reference of conversation ``to`` (as if the user had written)."""
    activity = wire.message_activity(to, "29:conformance-user", "hello bot")
    await provider.save_conversation_reference(activity)


@asynccontextmanager
async def _harness() -> AsyncIterator[MessagingHarness]:
    async with BotConnectorWire() as server:
        assert isinstance(server, BotConnectorWire)
        provider = BotFrameworkTeamsProvider(teams_config(server))
        try:
            await prime(provider, server, RECIPIENT)
            yield MessagingHarness(
                provider,
                TeamsWireView(server),
                recipient=RECIPIENT,
                sender="29:conformance-sender",
                timeout_seconds=1.0,
            )
        finally:
            await provider.close()


def teams_harness() -> AbstractAsyncContextManager[MessagingHarness]:
    """``BotFrameworkTeamsProvider`` over a fresh :class:`BotConnectorWire`."""
    return _harness()
