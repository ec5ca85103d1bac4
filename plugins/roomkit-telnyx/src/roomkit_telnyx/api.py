"""The Telnyx REST calls (httpx), every outcome turned into a ProviderResult.

Telnyx answers errors as ``{"errors": [{"code", "title", "detail"}]}``; 4xx are permanent
failures, 408 / 429 / 5xx, timeouts and dropped connections retryable (a 429's
``Retry-After`` is kept). Error texts carry Telnyx's code and title, never the API key.
"""

from __future__ import annotations

from typing import Any

import httpx

from roomkit.models.delivery import ProviderResult
from roomkit_telnyx.config import _TelnyxAccount

__all__ = ["TelnyxAPI", "telnyx_error_text"]


def telnyx_error_text(response: httpx.Response) -> str:
    """``"Telnyx error 40310: Invalid 'to' address (detail)"`` from an error answer."""
    try:
        errors = response.json().get("errors") or []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
    except (ValueError, AttributeError):
        first = {}
    code, title, detail = first.get("code"), first.get("title"), first.get("detail")
    if not code and not title:
        return f"Telnyx answered HTTP {response.status_code}"
    text = f"Telnyx error {code}: {title}" if code else f"Telnyx: {title}"
    if detail and detail != title:
        text += f" ({detail})"
    return text[:300]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None


class TelnyxAPI:
    """One pooled httpx client for the account (built on first use)."""

    def __init__(self, config: _TelnyxAccount, *, provider: str) -> None:
        self._config = config
        self._provider = provider
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self._config.api_base_url,
                timeout=httpx.Timeout(self._config.timeout),
                headers={
                    "Authorization": f"Bearer {self._config.api_key.get_secret_value()}",
                    "Accept": "application/json",
                },
            )
        return self._client

    async def call(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[ProviderResult | None, dict[str, Any]]:
        """``(failure, data)``: a failed result when the call did not succeed, else ``None``
        and the answer's ``data`` object."""
        try:
            response = await self._http().request(method, path, json=body)
        except httpx.TimeoutException:
            limit = self._config.timeout
            return ProviderResult.failed(
                f"{self._provider}: no answer from Telnyx within {limit:g}s", retryable=True
            ), {}
        except httpx.TransportError as exc:
            return ProviderResult.failed(
                f"{self._provider}: connection to Telnyx failed ({type(exc).__name__})",
                retryable=True,
            ), {}
        if response.status_code >= 400:
            return ProviderResult.from_http_error(
                response.status_code,
                telnyx_error_text(response),
                retry_after=_retry_after(response),
            ), {}
        try:
            data = response.json().get("data")
        except (ValueError, AttributeError):
            data = None
        if not isinstance(data, dict) or (method == "POST" and not data.get("id")):
            return ProviderResult.failed(
                f"{self._provider}: Telnyx answered {response.status_code} without a message",
                retryable=True,
                status_code=response.status_code,
            ), {}
        return None, data

    async def close(self) -> None:
        """Close the pooled connections."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
