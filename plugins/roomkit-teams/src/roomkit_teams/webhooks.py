"""The Teams webhook route: the Bot Connector service posts activities to the bot's
messaging endpoint.

The verifier is :class:`~roomkit_teams.auth.BotFrameworkTokenVerifier` (the Bot Framework
JWT, checked before the body is parsed). :class:`TeamsWebhookParser` then turns ``message``
activities into :class:`InboundMessage` items (the activity id is the idempotency key, so
a redelivered activity is stored once), and hands the conversation reference of **every**
verified activity -- messages, ``conversationUpdate`` (bot or members added), reactions -- to
the provider, which keeps it for replies and proactive messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from roomkit.errors import WebhookPayloadError
from roomkit.messaging.webhook import WebhookItem, WebhookParser, WebhookReply, WebhookRequest
from roomkit_teams.activities import conversation_reference, parse_teams_webhook

__all__ = ["ReferenceSink", "TeamsWebhookParser"]

logger = logging.getLogger("roomkit.teams")

ReferenceSink = Callable[[dict[str, Any]], None]
"""Receives the conversation reference (JSON) of each verified activity."""


class TeamsWebhookParser(WebhookParser):
    """Parses activities (see the module docstring); ``keep`` receives their references."""

    def __init__(self, keep: ReferenceSink | None = None) -> None:
        self._keep = keep

    def parse(self, request: WebhookRequest, channel_id: str) -> Sequence[WebhookItem]:
        if request.content_type != "application/json":
            raise WebhookPayloadError(
                "the Bot Connector posts application/json, not "
                f"{request.content_type or 'an untyped body'}"
            )
        payload = request.json_object()
        kind = payload.get("type")
        if not isinstance(kind, str) or not kind:
            raise WebhookPayloadError("not a Bot Framework activity: 'type' is missing")
        items = parse_teams_webhook(payload, channel_id)
        if self._keep is not None and payload.get("serviceUrl"):
            try:
                reference = conversation_reference(payload)
            except (WebhookPayloadError, ValueError, TypeError, AttributeError):
                logger.info("teams: an activity without a usable conversation reference")
            else:
                self._keep(reference)
        return items

    def acknowledge(self, request: WebhookRequest, items: Sequence[WebhookItem]) -> WebhookReply:
        return WebhookReply(200, b"", "application/json")
