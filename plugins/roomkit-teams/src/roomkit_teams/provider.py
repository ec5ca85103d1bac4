"""``BotFrameworkTeamsProvider``: a Teams bot in RoomKit rooms.

* **out**: each event becomes a ``message`` activity (text, Adaptive Cards for buttons and
  cards, attachments for media: :mod:`roomkit_teams.cards`) posted to the conversation
  through the Bot Connector REST API (:mod:`roomkit_teams.connector`). ``to`` is a Teams
  conversation id, or the id of a user whose personal chat with the bot is known.
* **conversation references**: the bot can only write where it has a reference (service URL,
  conversation, bot and user accounts). References come from every verified activity
  (messages, the bot being added, reactions ...), from
  :meth:`~BotFrameworkTeamsProvider.save_conversation_reference`, and from
  :meth:`~BotFrameworkTeamsProvider.create_personal_conversation` (a proactive message to a
  user who never wrote). They live in a :class:`ConversationReferenceStore`.
* **in**: :meth:`~BotFrameworkTeamsProvider.webhook_endpoints` is the bot's messaging endpoint
  for ``roomkit-server`` (JWT checked, then parsed); :meth:`turn_handler` is the bot logic for
  an app that runs botbuilder's own adapter.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from roomkit.errors import WebhookError
from roomkit.messaging.webhook import WebhookEndpoint, WebhookRequest
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.teams.base import TeamsProvider
from roomkit_teams.activities import (
    conversation_reference,
    is_bot_added,
    parse_teams_activity,
    parse_teams_reactions,
    parse_teams_webhook,
)
from roomkit_teams.auth import BotFrameworkTokenVerifier, BotTokenSource
from roomkit_teams.cards import event_activity, typing_activity
from roomkit_teams.config import TeamsConfig
from roomkit_teams.connector import BotConnector, apply_reference
from roomkit_teams.references import (
    ConversationReferenceStore,
    InMemoryConversationReferenceStore,
    SQLiteConversationReferenceStore,
)
from roomkit_teams.webhooks import TeamsWebhookParser

if TYPE_CHECKING:
    from botbuilder.core import BotFrameworkAdapter, TurnContext

    from roomkit.core.framework import RoomKit

__all__ = [
    "NO_REFERENCE",
    "BotFrameworkTeamsProvider",
    "ConversationReferenceStore",
    "InMemoryConversationReferenceStore",
    "SQLiteConversationReferenceStore",
    "TeamsConfig",
    "is_bot_added",
    "parse_teams_activity",
    "parse_teams_reactions",
    "parse_teams_webhook",
    "raise_no_reference",
]

logger = logging.getLogger("roomkit.teams")

#: The error of a send to a conversation the bot has no reference for (RoomKit 0.6.7's word).
NO_REFERENCE = "no_conversation_reference"
_MAX_PENDING = 10_000
_MAX_ALIASES = 100_000


class BotFrameworkTeamsProvider(TeamsProvider):
    """Microsoft Teams through the Bot Framework (see the module docstring)."""

    def __init__(
        self,
        config: TeamsConfig,
        *,
        conversation_store: ConversationReferenceStore | None = None,
    ) -> None:
        self._config = config
        self._store = conversation_store or InMemoryConversationReferenceStore()
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(config.timeout))
        self._tokens = BotTokenSource(config, self._client, provider=self.name)
        self._connector = BotConnector(
            self._client, self._tokens, timeout=config.timeout, provider=self.name
        )
        self._pending: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._aliases: OrderedDict[str, str] = OrderedDict()
        self._flushes: set[asyncio.Task[None]] = set()
        self._adapter: BotFrameworkAdapter | None = None
        self._endpoint = WebhookEndpoint(
            BotFrameworkTokenVerifier(config), TeamsWebhookParser(self._keep), name="teams"
        )

    @property
    def name(self) -> str:
        return "BotFrameworkTeamsProvider"

    @property
    def config(self) -> TeamsConfig:
        """The bot's registration."""
        return self._config

    @property
    def conversation_store(self) -> ConversationReferenceStore:
        """Where conversation references are kept."""
        return self._store

    @property
    def adapter(self) -> BotFrameworkAdapter:
        """botbuilder's ``BotFrameworkAdapter`` for this bot (built on first use), for an app
        that hosts the bot with botbuilder: ``await provider.adapter.process_activity(
        activity, auth_header, provider.turn_handler(kit, "teams"))``."""
        if self._adapter is None:
            from botbuilder.core import BotFrameworkAdapter, BotFrameworkAdapterSettings

            password = self._config.app_password
            self._adapter = BotFrameworkAdapter(
                BotFrameworkAdapterSettings(
                    self._config.app_id,
                    password.get_secret_value() if password else None,
                    channel_auth_tenant=None
                    if self._config.tenant_id == "common"
                    else self._config.tenant_id,
                )
            )
        return self._adapter

    # -- conversation references ----------------------------------------------------------
    def _alias(self, reference: dict[str, Any]) -> None:
        conversation = reference.get("conversation") or {}
        user = (reference.get("user") or {}).get("id")
        if user and conversation.get("conversationType", "personal") == "personal":
            self._aliases[str(user)] = str(conversation["id"])
            self._aliases.move_to_end(str(user))
            while len(self._aliases) > _MAX_ALIASES:
                self._aliases.popitem(last=False)

    def _keep(self, reference: dict[str, Any]) -> None:
        """Stage the reference of a verified webhook activity (the parser is synchronous);
        it is written to the store right away when an event loop runs, and in any case
        before the next send."""
        conversation_id = str(reference["conversation"]["id"])
        self._alias(reference)
        self._pending[conversation_id] = reference
        self._pending.move_to_end(conversation_id)
        while len(self._pending) > _MAX_PENDING:
            dropped, _ = self._pending.popitem(last=False)
            logger.warning("teams: reference backlog full, %s not kept", dropped)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self._flush())
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self) -> None:
        while self._pending:
            conversation_id, reference = self._pending.popitem(last=False)
            try:
                await self._store.save(conversation_id, reference)
            except Exception:
                self._pending[conversation_id] = reference
                self._pending.move_to_end(conversation_id, last=False)
                logger.exception("teams: the conversation reference store failed")
                return

    async def save_conversation_reference(self, activity_dict: dict[str, Any]) -> None:
        """Keep the conversation reference of an activity (botbuilder's
        ``TurnContext.get_conversation_reference``) for later messages."""
        reference = conversation_reference(activity_dict)
        self._alias(reference)
        await self._store.save(str(reference["conversation"]["id"]), reference)

    async def reference_for(self, to: str) -> dict[str, Any] | None:
        """The reference of conversation ``to``, or of the personal chat of user ``to``."""
        await self._flush()
        found = await self._store.get(to)
        if found is not None:
            return found
        alias = self._aliases.get(to)
        if alias is None:
            for conversation_id, reference in (await self._store.list_all()).items():
                if (reference.get("user") or {}).get("id") == to:
                    self._alias(reference)
                    alias = conversation_id
                    break
        return await self._store.get(alias) if alias else None

    # -- sending ----------------------------------------------------------------------------
    async def send(self, event: RoomEvent, to: str) -> ProviderResult:
        """Post ``event`` to conversation (or user) ``to``."""
        reference = await self.reference_for(to)
        if reference is None:
            return ProviderResult.failed(
                f"{NO_REFERENCE}: the bot knows no conversation {to!r}; it can write where it "
                "received an activity, or after create_personal_conversation()",
                conversation_id=to,
            )
        activity = event_activity(event)
        if activity is None:
            return ProviderResult.failed(f"{self.name}: the event has nothing Teams can show")
        return await self._connector.send_activity(apply_reference(activity, reference))

    async def send_typing(self, to: str, *, is_typing: bool = True, media: str = "text") -> None:
        """Show the typing indicator in ``to`` (Teams has no "stopped typing": a stop is a
        no-op). Raises the typed provider error when the Bot Connector refuses."""
        if not is_typing:
            return
        reference = await self.reference_for(to)
        if reference is None:
            raise_no_reference(to)
            return
        result = await self._connector.send_activity(apply_reference(typing_activity(), reference))
        result.raise_for_failure(self.name)

    async def create_personal_conversation(
        self, service_url: str, user_id: str, *, tenant_id: str | None = None
    ) -> str:
        """Open (or find) the bot's personal chat with ``user_id`` and keep its reference:
        the way to message a user who never wrote to the bot. Returns the conversation id;
        a refusal raises the typed provider error."""
        tenant = tenant_id or self._tenant()
        bot = {"id": f"28:{self._config.app_id}"}
        parameters: dict[str, Any] = {
            "isGroup": False,
            "bot": bot,
            "members": [{"id": user_id}],
            "channelData": {"tenant": {"id": tenant}} if tenant else {},
        }
        if tenant:
            parameters["tenantId"] = tenant
        return await self._create(
            service_url, parameters, {"conversationType": "personal"}, bot, {"id": user_id}
        )

    async def create_channel_conversation(
        self,
        service_url: str,
        channel_id: str,
        *,
        tenant_id: str | None = None,
        text: str | None = None,
    ) -> str:
        """Start a new thread in the Teams channel ``channel_id`` (with ``text`` as its first
        message when given) and keep its reference. Returns the conversation id."""
        tenant = tenant_id or self._tenant()
        bot = {"id": f"28:{self._config.app_id}"}
        data: dict[str, Any] = {"channel": {"id": channel_id}}
        if tenant:
            data["tenant"] = {"id": tenant}
        parameters: dict[str, Any] = {"isGroup": True, "bot": bot, "channelData": data}
        if tenant:
            parameters["tenantId"] = tenant
        if text:
            parameters["activity"] = {"type": "message", "text": text}
        return await self._create(
            service_url, parameters, {"conversationType": "channel", "isGroup": True}, bot, None
        )

    def _tenant(self) -> str | None:
        tenant = self._config.tenant_id
        return None if tenant in ("", "common") else tenant

    async def _create(
        self,
        service_url: str,
        parameters: dict[str, Any],
        kind: dict[str, Any],
        bot: dict[str, Any],
        user: dict[str, Any] | None,
    ) -> str:
        outcome = await self._connector.create_conversation(service_url, parameters)
        if isinstance(outcome, ProviderResult):
            outcome.raise_for_failure(self.name)
            raise AssertionError("unreachable: a failed result raises")
        conversation = {"id": str(outcome["id"]), **kind}
        if parameters.get("tenantId"):
            conversation["tenantId"] = parameters["tenantId"]
        reference: dict[str, Any] = {
            "serviceUrl": str(outcome.get("serviceUrl") or service_url),
            "channelId": "msteams",
            "conversation": conversation,
            "bot": bot,
        }
        if user is not None:
            reference["user"] = user
            self._alias(reference)
        await self._store.save(conversation["id"], reference)
        return str(conversation["id"])

    # -- receiving --------------------------------------------------------------------------
    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """The bot's messaging endpoint (set it as the Azure Bot's endpoint)."""
        return {"": self._endpoint}

    def verify_signature(self, payload: bytes, signature: str) -> bool:
        """Whether ``signature`` (the ``Authorization`` header, ``Bearer <JWT>``, or the bare
        token) is a valid Bot Framework token for the activity ``payload``."""
        token = signature if signature.startswith("Bearer ") else f"Bearer {signature}"
        request = WebhookRequest(
            "POST",
            "",
            {"authorization": token, "content-type": "application/json"},
            payload,
        )
        try:
            self._endpoint.verifier.verify(request)
        except WebhookError:
            return False
        return True

    def turn_handler(
        self, kit: RoomKit, channel_id: str
    ) -> Callable[[TurnContext], Awaitable[None]]:
        """Bot logic for botbuilder's adapter: each turn's activity goes into ``kit``
        through channel ``channel_id`` (see :func:`roomkit_teams.turns.teams_turn_handler`)."""
        from roomkit_teams.turns import teams_turn_handler

        return teams_turn_handler(self, kit, channel_id)

    async def close(self) -> None:
        """Write staged references and close the HTTP connections."""
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)
        await self._flush()
        await self._client.aclose()


def raise_no_reference(to: str) -> None:
    """Raise the permanent error of a conversation the bot cannot reach."""
    ProviderResult.failed(
        f"{NO_REFERENCE}: the bot knows no conversation {to!r}"
    ).raise_for_failure("BotFrameworkTeamsProvider")
