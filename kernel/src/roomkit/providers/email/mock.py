"""A recording email provider for tests."""

from __future__ import annotations

from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit.providers.email.base import EmailProvider, EmailThreading
from roomkit.providers.mock import MockProviderBase

__all__ = ["MockEmailProvider"]


class MockEmailProvider(MockProviderBase, EmailProvider):
    """Records sent email in ``sent``: ``{"event", "to", "from", "subject", "headers"}``,
    ``headers`` holding the threading headers the email channel asked for."""

    async def send(
        self,
        event: RoomEvent,
        to: str,
        from_: str | None = None,
        subject: str | None = None,
    ) -> ProviderResult:
        threading = EmailThreading.from_metadata(event.metadata)
        headers = {
            "Message-ID": threading.message_id,
            "In-Reply-To": threading.in_reply_to,
            "References": " ".join(threading.references) or None,
        }
        return await self._record(
            event,
            to,
            **{
                "from": from_ or "",
                "subject": subject or "",
                "headers": {k: v for k, v in headers.items() if v},
            },
        )
