"""``ElasticEmailProvider``: email through Elastic Email's REST API v4, and its delivery
notifications received through ``webhook_endpoints()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from roomkit.errors import InvalidContentError
from roomkit.messaging.webhook import WebhookEndpoint
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.email.base import EmailProvider
from roomkit.providers.email.compose import EmailParts, compose_email
from roomkit.providers.vendor_http import call_vendor, redactor_for
from roomkit_elasticemail.config import ElasticEmailConfig
from roomkit_elasticemail.notifications import (
    ElasticEmailNotificationParser,
    NotificationTokenVerifier,
)

__all__ = ["ElasticEmailConfig", "ElasticEmailProvider"]

#: The header carrying the API key (v4 API).
API_KEY_HEADER = "X-ElasticEmail-ApiKey"


class ElasticEmailProvider(EmailProvider):
    """Sends each email with ``POST {base_url}/emails/transactional`` (``is_transactional``,
    the default) or ``/emails``: plain-text and HTML bodies, ``data:`` media as attachments,
    other media as links, and the email channel's threading headers (``Message-ID``,
    ``In-Reply-To``, ``References``). The answer's ``TransactionID`` is the provider message
    id, which Elastic Email's notifications name (``transaction``).

    With ``config.webhook_token``, :meth:`webhook_endpoints` receives those notifications
    (``GET``, or ``POST`` form / JSON) as delivery-status updates.
    """

    def __init__(self, config: ElasticEmailConfig) -> None:
        self._config = config
        key = config.api_key.get_secret_value()
        token = config.webhook_token.get_secret_value() if config.webhook_token else None
        self._redactor = redactor_for([key, token])
        self._client = httpx.AsyncClient(
            timeout=config.timeout, headers={API_KEY_HEADER: key}, follow_redirects=False
        )

    @property
    def name(self) -> str:
        return "elasticemail"

    @property
    def config(self) -> ElasticEmailConfig:
        """The configuration this provider was built with."""
        return self._config

    def _content(
        self, parts: EmailParts, sender: str, subject: str | None, event: RoomEvent
    ) -> dict[str, Any]:
        body = []
        if parts.html:
            body.append({"ContentType": "HTML", "Content": parts.html, "Charset": "utf-8"})
        if parts.text:
            body.append({"ContentType": "PlainText", "Content": parts.text, "Charset": "utf-8"})
        content: dict[str, Any] = {
            "Body": body,
            "From": sender,
            "Subject": subject or self._config.default_subject,
            "Postback": event.id,
        }
        if parts.headers:
            content["Headers"] = parts.headers
        if parts.attachments:
            content["Attachments"] = [
                {"BinaryContent": a.base64(), "Name": a.filename, "ContentType": a.mime_type}
                for a in parts.attachments
            ]
        return content

    def _message(
        self, event: RoomEvent, to: str, from_: str | None, subject: str | None
    ) -> dict[str, Any]:
        parts = compose_email(event, max_attachment_bytes=self._config.max_attachment_bytes)
        if parts.empty:
            raise InvalidContentError("nothing to send (no text, HTML or attachment)")
        content = self._content(parts, from_ or self._config.sender, subject, event)
        recipients: Any = {"To": [to]} if self._config.is_transactional else [{"Email": to}]
        message: dict[str, Any] = {"Recipients": recipients, "Content": content}
        if self._config.channel_name:
            message["Options"] = {"ChannelName": self._config.channel_name}
        return message

    async def send(
        self,
        event: RoomEvent,
        to: str,
        from_: str | None = None,
        subject: str | None = None,
    ) -> ProviderResult:
        try:
            message = self._message(event, to, from_, subject)
        except InvalidContentError as exc:
            return ProviderResult.failed(f"elasticemail: {exc}")
        outcome = await call_vendor(
            self.name,
            self._client.post(self._config.send_url, json=message),
            timeout=self._config.timeout,
            redactor=self._redactor,
        )
        if isinstance(outcome, ProviderResult):
            return outcome
        try:
            data = outcome.json()
            transaction = str(data["TransactionID"])
        except (ValueError, KeyError, TypeError):
            return ProviderResult.failed("elasticemail: the answer has no TransactionID")
        return ProviderResult.sent(transaction, message_id=data.get("MessageID"))

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """The notification route (none without ``webhook_token``); it takes ``GET``, the
        method Elastic Email notifies with, and ``POST``."""
        token = self._config.webhook_token
        if token is None:
            return {}
        return {
            "": WebhookEndpoint(
                NotificationTokenVerifier([token.get_secret_value()]),
                ElasticEmailNotificationParser(),
                methods=("GET", "POST"),
                name="elasticemail-notifications",
            )
        }

    async def close(self) -> None:
        await self._client.aclose()
