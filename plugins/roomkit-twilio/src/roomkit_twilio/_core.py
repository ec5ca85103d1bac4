"""What the three Twilio providers share: the SDK client, webhook routes, sending text that
may exceed one message, closing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from roomkit.core.transcoding import split_text
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit_twilio.config import _TwilioAccount
from roomkit_twilio.messages import TwilioMessages, event_text_and_media
from roomkit_twilio.webhooks import TwilioSignatureVerifier, TwilioWebhookParser

__all__ = ["MAX_BODY", "TwilioCore"]

#: Characters Twilio accepts in one message body.
MAX_BODY = 1600


class TwilioCore:
    """Sending and webhook plumbing of one Twilio account for one provider."""

    def __init__(self, config: _TwilioAccount, *, provider: str, channel: str) -> None:
        self.config = config
        self.provider = provider
        self.messages = TwilioMessages(config, provider=provider)
        signing_key = config.webhook_signing_key
        self.endpoint = WebhookEndpoint(
            TwilioSignatureVerifier(
                config.auth_token.get_secret_value(),
                signing_key=signing_key.get_secret_value() if signing_key else None,
            ),
            TwilioWebhookParser(provider, channel=channel),
            name=provider,
        )

    def endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """One route: incoming messages and status callbacks both arrive there."""
        return {"": self.endpoint}

    async def send_event(
        self,
        event: RoomEvent,
        *,
        to: str,
        sender: str | None = None,
        messaging_service_sid: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> ProviderResult:
        """Send the event's text and media; a text over 1,600 characters goes as several
        messages (the first one's SID is the result's, all are in ``metadata["part_ids"]``).
        """
        template = bool((extra or {}).get("content_sid"))
        text, media = ("", []) if template else event_text_and_media(event)
        if not text.strip() and not media and not template:
            return ProviderResult.failed(f"{self.provider}: the event has nothing to send")
        pieces: Sequence[str] = split_text(text, MAX_BODY) if text else [""]
        results: list[ProviderResult] = []
        for index, piece in enumerate(pieces):
            result = await self.messages.create(
                to=to,
                body=piece,
                media=media if index == 0 else (),
                sender=sender,
                messaging_service_sid=messaging_service_sid,
                extra=extra,
            )
            if not result.success:
                return result
            results.append(result)
        if len(results) == 1:
            return results[0]
        first = results[0]
        first.metadata["part_ids"] = [r.provider_message_id for r in results]
        return first

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.messages.close()
