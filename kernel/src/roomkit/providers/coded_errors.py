"""Failures of vendors that answer errors with a code in a JSON body.

Some APIs (Meta's Graph API for Messenger and WhatsApp among them) answer errors as
``{"error": {"message", "code", "error_subcode"}}``, often with HTTP 400 even for throttling,
so the status alone misclassifies them. :class:`ErrorCodes` says which codes mean "retry
later" and which deserve a hint saying what to do; :func:`coded_failure` builds the failed
:class:`~roomkit.models.delivery.ProviderResult` from such an answer. A plugin keeps only its
table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from roomkit.models.delivery import ProviderResult
from roomkit.providers.ai.support.errors import Redactor, retry_after_seconds, shorten
from roomkit.providers.vendor_http import HTTPResponseLike

__all__ = ["CodedResponse", "ErrorCodes", "coded_failure"]


class CodedResponse(HTTPResponseLike, Protocol):
    """A response whose JSON body can be read (httpx's can)."""

    def json(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class ErrorCodes:
    """What a vendor's error codes mean.

    ``rate_limited`` and ``temporary`` codes are retryable whatever the HTTP status;
    ``hints`` maps ``(code, subcode)`` (or ``(code, None)`` for any subcode) to a sentence
    added to the error message; ``label`` names the codes in messages (``"Graph error 100"``).
    """

    label: str
    rate_limited: frozenset[int] = frozenset()
    temporary: frozenset[int] = frozenset()
    hints: Mapping[tuple[int, int | None], str] = field(default_factory=dict)


def _error_of(response: CodedResponse) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def coded_failure(
    provider: str, response: CodedResponse, redactor: Redactor, codes: ErrorCodes
) -> ProviderResult:
    """The failed result of an error answer whose body carries an error code (see above)."""
    error = _error_of(response)
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    detail = redactor.text(shorten(str(error.get("message") or response.text or "")))
    hint = codes.hints.get((code or 0, subcode)) or codes.hints.get((code or 0, None))
    if hint:
        detail = f"{detail} ({hint})"
    if code is not None:
        detail = f"{codes.label} {code}" + (f"/{subcode}" if subcode else "") + f": {detail}"
    retry_after = retry_after_seconds(response.headers)
    status = response.status_code
    if code in codes.rate_limited or code in codes.temporary:
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
