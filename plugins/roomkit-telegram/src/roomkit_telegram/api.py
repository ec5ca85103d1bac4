"""Calling the Bot API: one call within the timeout, Telegram's errors classified.

Telegram answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
"description", "parameters"}``. :func:`call_bot` returns the ``result`` or a failed
:class:`~roomkit.models.delivery.ProviderResult`:

* flood control (429) is retryable with ``parameters.retry_after`` (Telegram sends it in the
  body, rarely as a header), 5xx, timeouts and broken connections are retryable;
* ``chat not found`` (an unknown chat id: the user never started the bot), ``bot was
  blocked by the user``, a group migrated to a supergroup (``parameters.migrate_to_chat_id``)
  and other 4xx are permanent, with a hint saying what to do.

The bot token is part of every URL: error texts never carry URLs, and the token is redacted
from everything they do carry.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from roomkit.models.delivery import ProviderResult
from roomkit.providers.ai.support.errors import Redactor, retry_after_seconds, shorten

__all__ = ["BotAPIError", "call_bot", "failure_of"]

_HINTS = {
    "chat not found": "unknown chat id: the user must start the bot (or add it to the group) "
    "before it can write there",
    "bot was blocked by the user": "the user blocked the bot; it can write again once they "
    "unblock it",
    "bot was kicked": "the bot was removed from this group",
    "message to edit not found": "the message to edit no longer exists",
}


class BotAPIError(Exception):
    """A Bot API answer that is not ``ok`` (carries the failed result)."""

    def __init__(self, result: ProviderResult) -> None:
        super().__init__(result.error)
        self.result = result


def failure_of(
    provider: str, status: int, data: Any, headers: Any, redactor: Redactor
) -> ProviderResult:
    """The failed result of a Bot API error answer."""
    body: dict[str, Any] = data if isinstance(data, dict) else {}
    error_code = body.get("error_code")
    code = error_code if isinstance(error_code, int) else status
    description = str(body.get("description") or f"HTTP {status}")
    found = body.get("parameters")
    parameters: dict[str, Any] = found if isinstance(found, dict) else {}
    retry_after = retry_after_seconds(headers)
    if retry_after is None and isinstance(parameters.get("retry_after"), int | float):
        retry_after = float(parameters["retry_after"])
    detail = redactor.text(shorten(description))
    lowered = description.lower()
    hint = next((h for k, h in _HINTS.items() if k in lowered), None)
    if "migrate_to_chat_id" in parameters:
        hint = f"the group is now the supergroup {parameters['migrate_to_chat_id']}: use that id"
    if hint:
        detail = f"{detail} ({hint})"
    return ProviderResult.from_http_error(code, f"{provider}: {detail}", retry_after=retry_after)


async def call_bot(
    provider: str,
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, Any],
    *,
    timeout: float,
    redactor: Redactor,
) -> Any:
    """POST ``params`` (JSON) to the method ``url`` within ``timeout`` seconds and return its
    ``result``; raises :class:`BotAPIError` carrying the failed result otherwise."""
    try:
        async with asyncio.timeout(timeout):
            response = await client.post(url, json=params)
    except (httpx.TimeoutException, TimeoutError):
        raise BotAPIError(
            ProviderResult.failed(
                f"{provider}: no answer within {timeout:g}s (raise timeout to wait longer)",
                retryable=True,
            )
        ) from None
    except (httpx.HTTPError, OSError) as exc:  # the message may quote the URL: not shown
        raise BotAPIError(
            ProviderResult.failed(
                f"{provider}: connection failed ({type(exc).__name__})", retryable=True
            )
        ) from None
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code == 200 and isinstance(data, dict) and data.get("ok") is True:
        return data.get("result")
    raise BotAPIError(failure_of(provider, response.status_code, data, response.headers, redactor))
