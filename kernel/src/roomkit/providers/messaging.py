"""The shared base of messaging providers (SMS, RCS, email, HTTP, chat apps).

A provider is the part of a messaging integration that talks to the vendor: each kind's
contract (``SMSProvider``, ``EmailProvider`` ...) has one abstract method, ``send``, returning
a :class:`~roomkit.models.delivery.ProviderResult`. Vendor failures are *returned* as failed
results classified retryable or permanent (``ProviderResult.from_http_error`` does it from an
HTTP status); the channel turns them into the typed errors the engine's retry policy reads.

Receiving is optional: a provider whose vendor calls webhooks returns its routes from
:meth:`MessagingProvider.webhook_endpoints` (a verifier and a parser each, see
:mod:`roomkit.messaging.webhook`); the webhook server mounts them.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Mapping

from roomkit.messaging.webhook import WebhookEndpoint

__all__ = ["MessagingProvider"]


class MessagingProvider(ABC):  # noqa: B024 - each kind's contract declares its abstract send
    """Name, webhook routes and ``close`` shared by every messaging provider kind."""

    @property
    def name(self) -> str:
        """Provider name used in logs and status updates (the class name unless overridden)."""
        return type(self).__name__

    def webhook_endpoints(self) -> Mapping[str, WebhookEndpoint]:
        """Inbound routes of this provider: route suffix (``""`` for the channel's own path,
        e.g. ``"events"`` for a second route) -> endpoint. Empty when it receives nothing."""
        return {}

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources. Override in providers that hold connections."""

    def _moved(self, what: str) -> NotImplementedError:
        """The error of RoomKit 0.6.7 entry points (``parse_webhook``, ``verify_signature``)
        that providers now serve through :meth:`webhook_endpoints`."""
        return NotImplementedError(
            f"{self.name} does not implement {what}; webhooks are verified and parsed through "
            "webhook_endpoints() (see roomkit.messaging.webhook)"
        )
