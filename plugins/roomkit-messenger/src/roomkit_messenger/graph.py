"""Calling the Graph API: one POST within the timeout, Graph errors classified.

Graph answers errors as ``{"error": {"message", "type", "code", "error_subcode"}}``, often
with HTTP 400 even for throttling; :func:`graph_failure` reads the code as well as the
status: rate limits (codes 4, 17, 32, 613, 80006 ...) are retryable whatever the status,
an unknown user (code 100 / subcode 2018001) and a closed 24-hour window (code 10 / subcode
2018278, code 551) are permanent with a message saying what to do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from roomkit.models.delivery import ProviderResult
from roomkit.providers.ai.support.errors import Redactor, retry_after_seconds, shorten
from roomkit.providers.vendor_http import failure_from_exception

__all__ = ["RATE_LIMIT_CODES", "graph_failure", "post_graph"]

#: Graph error codes meaning "too many calls": retry later.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80006, 80007})
#: Graph error codes of a temporary server-side problem.
_TEMPORARY_CODES = frozenset({1, 2, 1200})

_HINTS = {
    (100, 2018001): "no Messenger user with this PSID for the page (attach the PSID the "
    "user's messages came from)",
    (10, 2018278): "outside the 24-hour window: the user must write first, or send with "
    "metadata={'messenger_tag': ...}",
    (551, None): "this person is not available right now (blocked the page or left)",
    (190, None): "the page access token is invalid or expired (renew page_access_token)",
}


def _error_of(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def graph_failure(provider: str, response: httpx.Response, redactor: Redactor) -> ProviderResult:
    """The failed result of a Graph API error answer (see the module docstring)."""
    error = _error_of(response)
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    message = str(error.get("message") or response.text or "")
    detail = redactor.text(shorten(message))
    hint = _HINTS.get((code or 0, subcode)) or _HINTS.get((code or 0, None))
    if hint:
        detail = f"{detail} ({hint})"
    if code is not None:
        detail = f"Graph error {code}" + (f"/{subcode}" if subcode else "") + f": {detail}"
    retry_after = retry_after_seconds(response.headers)
    status = response.status_code
    if code in RATE_LIMIT_CODES or code in _TEMPORARY_CODES:
        return ProviderResult.failed(
            f"{provider}: HTTP {status}: {detail}",
            retryable=True,
            status_code=status,
            retry_after=retry_after,
            graph_code=code,
        )
    result = ProviderResult.from_http_error(
        status, f"{provider}: {detail}", retry_after=retry_after
    )
    if code is not None:
        result.metadata["graph_code"] = code
    return result


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
    try:
        async with asyncio.timeout(timeout):
            response = await client.post(url, json=payload)
    except (httpx.HTTPError, TimeoutError, OSError) as exc:
        return failure_from_exception(provider, exc, timeout=timeout, redactor=redactor)
    if 200 <= response.status_code < 300:
        return response
    return graph_failure(provider, response, redactor)
