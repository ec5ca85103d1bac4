"""The Bot Connector REST API (v3) over httpx: what the bot calls to write into Teams.

``POST {serviceUrl}/v3/conversations/{id}/activities`` (or ``.../activities/{replyToId}``
to answer a given activity, as botbuilder's adapter does for a reference with an activity id),
``POST {serviceUrl}/v3/conversations`` to open a conversation. Every call carries the bot's
token, is bounded in time, and returns failures as :class:`ProviderResult` (429 / 5xx
retryable with ``Retry-After``, a refused token dropped from the cache). ``serviceUrl``
must be https (http only to this machine): the bot's token travels with every call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from roomkit.models.delivery import ProviderResult
from roomkit.providers.vendor_http import call_vendor, check_vendor_url
from roomkit_teams.auth import BotTokenSource

__all__ = ["BotConnector", "apply_reference"]


def apply_reference(activity: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """``activity`` addressed from the bot to the reference's conversation (botbuilder's
    ``TurnContext.apply_conversation_reference`` for an outgoing activity)."""
    addressed = dict(activity)
    addressed["channelId"] = reference.get("channelId") or "msteams"
    addressed["serviceUrl"] = reference["serviceUrl"]
    addressed["conversation"] = reference["conversation"]
    if reference.get("bot"):
        addressed["from"] = reference["bot"]
    if reference.get("user"):
        addressed["recipient"] = reference["user"]
    if reference.get("locale"):
        addressed["locale"] = reference["locale"]
    if reference.get("activityId"):
        addressed["replyToId"] = reference["activityId"]
    return addressed


class BotConnector:
    """Calls of one bot to the Bot Connector service."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: BotTokenSource, *, timeout: float, provider: str
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._timeout = timeout
        self._provider = provider

    def _base(self, service_url: str) -> str | ProviderResult:
        try:
            return check_vendor_url(service_url, "serviceUrl").rstrip("/")
        except ValueError as exc:
            return ProviderResult.failed(f"{self._provider}: {exc}")

    async def _post(self, url: str, body: dict[str, Any]) -> httpx.Response | ProviderResult:
        token = await self._tokens.token()
        if isinstance(token, ProviderResult):
            return token
        outcome = await call_vendor(
            self._provider,
            self._client.post(url, json=body, headers={"Authorization": f"Bearer {token}"}),
            timeout=self._timeout,
            redactor=self._tokens.redactor,
        )
        if isinstance(outcome, ProviderResult) and outcome.status_code in (401, 403):
            self._tokens.forget()
        return outcome

    async def send_activity(self, activity: dict[str, Any]) -> ProviderResult:
        """Post an addressed activity (see :func:`apply_reference`) to its conversation."""
        base = self._base(str(activity.get("serviceUrl") or ""))
        if isinstance(base, ProviderResult):
            return base
        conversation = quote(str(activity["conversation"]["id"]), safe="")
        url = f"{base}/v3/conversations/{conversation}/activities"
        if activity.get("replyToId"):
            url += "/" + quote(str(activity["replyToId"]), safe="")
        outcome = await self._post(url, activity)
        if isinstance(outcome, ProviderResult):
            return outcome
        try:
            found = outcome.json().get("id")
        except ValueError:
            found = None
        return ProviderResult.sent(
            str(found) if found else None, conversation_id=activity["conversation"]["id"]
        )

    async def create_conversation(
        self, service_url: str, parameters: dict[str, Any]
    ) -> dict[str, Any] | ProviderResult:
        """``POST /v3/conversations``: the new conversation's resource (``id`` ...)."""
        base = self._base(service_url)
        if isinstance(base, ProviderResult):
            return base
        outcome = await self._post(f"{base}/v3/conversations", parameters)
        if isinstance(outcome, ProviderResult):
            return outcome
        try:
            data = outcome.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not data.get("id"):
            return ProviderResult.failed(
                f"{self._provider}: the Bot Connector created a conversation without an id"
            )
        return data
