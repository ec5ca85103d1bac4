"""Reading Bot Framework activities as Microsoft Teams sends them (RoomKit 0.6.7's helpers).

* :func:`parse_teams_activity` -- the routing facts of any activity (type, conversation,
  sender, bot, tenant, members added or removed);
* :func:`parse_teams_webhook` -- a ``message`` activity as :class:`InboundMessage` items
  (other activity types give none);
* :func:`parse_teams_reactions` -- the reactions a ``messageReaction`` activity adds or removes;
* :func:`is_bot_added` -- whether a ``conversationUpdate`` adds the bot to a conversation
  (the moment to keep its conversation reference for proactive messages);
* :func:`conversation_reference` -- botbuilder's ``ConversationReference`` of an activity,
  as the JSON a :class:`~roomkit_teams.references.ConversationReferenceStore` keeps.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from roomkit.errors import WebhookPayloadError
from roomkit.models.content import CompositeContent, EventContent, MediaContent, TextContent
from roomkit.models.event import InboundMessage

__all__ = [
    "activity_text",
    "conversation_reference",
    "inbound_content",
    "is_bot_added",
    "parse_teams_activity",
    "parse_teams_reactions",
    "parse_teams_webhook",
]

_AT_MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
_FILE_INFO = "application/vnd.microsoft.teams.file.download.info"
_CARD_TYPES = ("application/vnd.microsoft.card.", "text/html")


def _account(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def _tenant(payload: dict[str, Any]) -> str:
    data = _account(payload, "channelData")
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and tenant.get("id"):
        return str(tenant["id"])
    return str(_account(payload, "conversation").get("tenantId") or "")


def _ids(members: Any) -> list[str]:
    if not isinstance(members, list):
        return []
    return [str(m["id"]) for m in members if isinstance(m, dict) and m.get("id")]


def parse_teams_activity(payload: dict[str, Any]) -> dict[str, Any]:
    """The routing facts of an activity: ``activity_type``, ``conversation_id``,
    ``conversation_type`` (``personal``, ``groupChat``, ``channel``), ``conversation_name``,
    ``is_group``, ``service_url``, ``tenant_id``, ``sender_id``, ``sender_name``, ``bot_id``,
    ``reply_to_id``, ``members_added`` and ``members_removed`` (ids)."""
    conversation = _account(payload, "conversation")
    sender = _account(payload, "from")
    kind = str(conversation.get("conversationType") or "")
    return {
        "activity_type": str(payload.get("type") or ""),
        "conversation_id": str(conversation.get("id") or ""),
        "conversation_type": kind,
        "conversation_name": str(conversation.get("name") or ""),
        "is_group": bool(conversation.get("isGroup")) or kind in ("groupChat", "channel"),
        "service_url": str(payload.get("serviceUrl") or ""),
        "tenant_id": _tenant(payload),
        "sender_id": str(sender.get("id") or ""),
        "sender_name": str(sender.get("name") or ""),
        "bot_id": str(_account(payload, "recipient").get("id") or ""),
        "reply_to_id": str(payload.get("replyToId") or ""),
        "members_added": _ids(payload.get("membersAdded")),
        "members_removed": _ids(payload.get("membersRemoved")),
    }


def is_bot_added(payload: dict[str, Any], bot_id: str | None = None) -> bool:
    """Whether ``payload`` is a ``conversationUpdate`` adding the bot (``bot_id``, else the
    activity's recipient) to the conversation."""
    if payload.get("type") != "conversationUpdate":
        return False
    facts = parse_teams_activity(payload)
    bot = bot_id or facts["bot_id"]
    return bool(bot) and bot in facts["members_added"]


def parse_teams_reactions(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The reactions of a ``messageReaction`` activity: one dict per reaction with
    ``action`` (``add`` / ``remove``), ``emoji`` (Teams' reaction type: ``like``, ``heart``
    ...), ``sender_id``, ``sender_name`` and ``target_activity_id`` (the message reacted
    to). Other activity types give ``[]``."""
    if payload.get("type") != "messageReaction":
        return []
    sender = _account(payload, "from")
    target = str(payload.get("replyToId") or "")
    found = []
    for action, key in (("add", "reactionsAdded"), ("remove", "reactionsRemoved")):
        items = payload.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("type"):
                found.append(
                    {
                        "action": action,
                        "emoji": str(item["type"]),
                        "sender_id": str(sender.get("id") or ""),
                        "sender_name": str(sender.get("name") or ""),
                        "target_activity_id": target,
                    }
                )
    return found


def activity_text(payload: dict[str, Any]) -> str:
    """The text a user wrote: the activity's text, else an Adaptive Card submission's
    ``value`` (the pressed button's value, or the submitted fields as JSON)."""
    text = payload.get("text")
    if isinstance(text, str) and text.strip():
        return text
    value = payload.get("value")
    if isinstance(value, dict):
        picked = value.get("value")
        if isinstance(picked, str) and picked:
            return picked
        return json.dumps(value, sort_keys=True) if value else ""
    if isinstance(value, str):
        return value
    return ""


def inbound_content(payload: dict[str, Any]) -> EventContent:
    """The activity's text and its file / image attachments (cards and the HTML copy of the
    text Teams adds are left out)."""
    text = activity_text(payload)
    media: list[MediaContent] = []
    attachments = payload.get("attachments")
    for item in attachments if isinstance(attachments, list) else []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("contentType") or "")
        content = item.get("content")
        if kind == _FILE_INFO and isinstance(content, dict) and content.get("downloadUrl"):
            url, mime = str(content["downloadUrl"]), str(content.get("fileType") or "")
            mime = mime if "/" in mime else "application/octet-stream"
        elif item.get("contentUrl") and not kind.startswith(_CARD_TYPES):
            url, mime = str(item["contentUrl"]), kind or "application/octet-stream"
        else:
            continue
        name = item.get("name")
        media.append(MediaContent(url=url, mime_type=mime, filename=str(name) if name else None))
    if not media:
        return TextContent(body=text)
    if len(media) == 1:
        return media[0].model_copy(update={"caption": text or None})
    parts: list[EventContent] = [TextContent(body=text)] if text else []
    parts.extend(media)
    return CompositeContent(parts=parts)


def parse_teams_webhook(payload: dict[str, Any], channel_id: str) -> list[InboundMessage]:
    """A ``message`` activity as one :class:`InboundMessage` (the activity id is its
    idempotency key; ``metadata`` has the conversation, tenant, service URL and whether the
    bot was @-mentioned). Other activity types give ``[]``; a message without an id or a
    sender raises :class:`~roomkit.errors.WebhookPayloadError`.

    Check the request's Bot Framework token first (the provider's webhook endpoint does).
    """
    if payload.get("type") != "message":
        return []
    facts = parse_teams_activity(payload)
    activity_id = payload.get("id")
    if not activity_id or not facts["sender_id"] or not facts["conversation_id"]:
        raise WebhookPayloadError("a Teams message activity needs id, from.id and conversation.id")
    content = inbound_content(payload)
    text = payload.get("text") if isinstance(payload.get("text"), str) else ""
    metadata: dict[str, Any] = {
        "sender_name": facts["sender_name"],
        "conversation_id": facts["conversation_id"],
        "conversation_type": facts["conversation_type"],
        "is_group": facts["is_group"],
        "bot_mentioned": bool(_AT_MENTION.search(text or "")),
        "service_url": facts["service_url"],
        "tenant_id": facts["tenant_id"],
        "reply_to_id": facts["reply_to_id"],
        "teams_conversation_id": facts["conversation_id"],
    }
    if isinstance(payload.get("value"), dict):
        metadata["card_value"] = payload["value"]
    return [
        InboundMessage(
            channel_id=channel_id,
            sender_id=facts["sender_id"],
            content=content,
            external_id=str(activity_id),
            idempotency_key=str(activity_id),
            metadata=metadata,
        )
    ]


def conversation_reference(payload: dict[str, Any] | Activity) -> dict[str, Any]:
    """botbuilder's ``TurnContext.get_conversation_reference`` of the activity, as JSON
    (camelCase keys), with the conversation's tenant kept for proactive messages."""
    activity = payload if isinstance(payload, Activity) else Activity().deserialize(payload)
    reference = TurnContext.get_conversation_reference(activity)
    data: dict[str, Any] = reference.serialize()
    raw = payload.serialize() if isinstance(payload, Activity) else payload
    tenant = _tenant(raw)
    if tenant:
        data.setdefault("conversation", {})["tenantId"] = tenant
    if not data.get("serviceUrl") or not data.get("conversation", {}).get("id"):
        raise WebhookPayloadError("the activity has no serviceUrl or conversation.id")
    return data
