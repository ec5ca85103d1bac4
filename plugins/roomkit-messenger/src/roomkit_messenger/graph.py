"""Calling the Graph API: one POST within the timeout, Graph errors classified.

Graph answers errors as ``{"error": {"message", "type", "code", "error_subcode"}}``, often
with HTTP 400 even for throttling: :data:`GRAPH_ERRORS` lists the codes that mean "retry
later" and the hints that say what to do, read by the kernel's
:func:`roomkit.providers.coded_errors.coded_failure`.
"""

from __future__ import annotations

from typing import Any

import httpx

from roomkit.models.delivery import ProviderResult
from roomkit.providers.ai.support.errors import Redactor
from roomkit.providers.coded_errors import ErrorCodes, coded_failure
from roomkit.providers.vendor_http import call_vendor

__all__ = ["GRAPH_ERRORS", "RATE_LIMIT_CODES", "graph_failure", "post_graph"]

#: Graph error codes meaning "too many calls": retry later.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80006, 80007})

GRAPH_ERRORS = ErrorCodes(
    label="Graph error",
    rate_limited=RATE_LIMIT_CODES,
    temporary=frozenset({1, 2, 1200}),
    hints={
        (100, 2018001): "no Messenger user with this PSID for the page (attach the PSID the "
        "user's messages came from)",
        (10, 2018278): "outside the 24-hour window: the user must write first, or send with "
        "metadata={'messenger_tag': ...}",
        (551, None): "this person is not available right now (blocked the page or left)",
        (190, None): "the page access token is invalid or expired (renew page_access_token)",
    },
)


def graph_failure(provider: str, response: httpx.Response, redactor: Redactor) -> ProviderResult:
    """The failed result of a Graph API error answer (see the module docstring)."""
    return coded_failure(provider, response, redactor, GRAPH_ERRORS)


async def post_graph(
    provider: str,
    client: httpx.AsyncClient,
    url: str,
    payload: dict[str, Any],
    *,
    timeout: float,
    redactor: Redactor,
) -> httpx.Response | ProviderResult:
    """POST ``payload`` within ``timeout`` seconds: the 2xx response, else a failed result."""
    return await call_vendor(
        provider,
        client.post(url, json=payload),
        timeout=timeout,
        redactor=redactor,
        classify=lambda response: graph_failure(provider, response, redactor),
    )
