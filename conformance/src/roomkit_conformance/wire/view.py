"""The shared half of a :class:`~roomkit_conformance.suites.messaging.MessagingWire` over a
:class:`~roomkit_conformance.wire.http.WireServer`.

A vendor plugin's wire view subclasses :class:`WireServerView` and writes only what is its
vendor's: :meth:`~WireServerView.sent` (read the recorded requests), ``signed``,
``inbound``, ``status`` and ``replayed`` (build webhooks signed as the vendor signs).
Forgetting, scripted faults, removing the signature headers (:attr:`signature_headers`) and
altering the body after signing are the same for every vendor and live here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from roomkit.messaging.webhook import WebhookRequest
from roomkit_conformance.wire.http import WireServer

__all__ = ["WireServerView"]


class WireServerView:
    """Reset, faults, unsigned and tampered requests for a wire fake ``server``."""

    #: Lower-case names of the headers carrying the vendor's signature.
    signature_headers: ClassVar[frozenset[str]] = frozenset()
    #: The body of the vendor's error answers to scripted faults (``{status}`` is filled).
    fault_body: ClassVar[object] = None

    def __init__(self, server: WireServer) -> None:
        self.server = server

    async def reset(self) -> None:
        """Forget what was received and every scripted fault."""
        self.server.reset()

    async def fail(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests with ``status`` (in the vendor's error shape)."""
        body = _filled(self.fault_body, status)
        self.server.fail(status, times=times, retry_after=retry_after, body=body)

    async def hang(self, seconds: float, *, times: int = 1) -> None:
        """Hold the next answers for ``seconds``."""
        self.server.hang(seconds, times=times)

    def unsigned(self, request: WebhookRequest) -> WebhookRequest:
        """``request`` without its signature headers."""
        headers = {k: v for k, v in request.headers.items() if k not in self.signature_headers}
        return replace(request, headers=headers)

    def tampered(self, request: WebhookRequest) -> WebhookRequest:
        """``request`` with a byte added to its body after signing."""
        return replace(request, body=request.body + b" ")


def _filled(template: object, status: int) -> object:
    if isinstance(template, str):
        return template.format(status=status)
    if isinstance(template, dict):
        return {k: _filled(v, status) for k, v in template.items()}
    if isinstance(template, list):
        return [_filled(v, status) for v in template]
    return template
