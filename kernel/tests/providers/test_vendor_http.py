"""call_vendor maps answers and client exceptions to ProviderResults; URLs are checked."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from roomkit.models.delivery import ProviderResult
from roomkit.providers.vendor_http import (
    call_vendor,
    check_vendor_url,
    failure_from_exception,
    is_loopback_host,
    redactor_for,
)

KEY = "sk-live-0123456789abcdef"


@dataclass
class Answer:
    status_code: int
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)


async def _answer(value: Answer) -> Answer:
    return value


class TimeoutException(Exception):  # named like httpx's: matched by name
    pass


class ConnectError(Exception):
    pass


class TransportError(ConnectError):  # httpx's hierarchy, by name
    pass


async def _raise(exc: Exception) -> Answer:
    raise exc


async def test_a_2xx_answer_is_returned() -> None:
    outcome = await call_vendor("acme", _answer(Answer(201, "{}")), timeout=1)
    assert isinstance(outcome, Answer)


@pytest.mark.parametrize(
    ("status", "retryable"), [(400, False), (401, False), (302, False), (429, True), (503, True)]
)
async def test_other_answers_are_classified_failures(status: int, retryable: bool) -> None:
    answer = Answer(status, f"denied key {KEY}", {"Retry-After": "7"})
    outcome = await call_vendor("acme", _answer(answer), timeout=1, redactor=redactor_for([KEY]))
    assert isinstance(outcome, ProviderResult)
    assert (outcome.success, outcome.retryable, outcome.status_code) == (False, retryable, status)
    assert outcome.retry_after == 7
    assert outcome.error is not None
    assert KEY not in outcome.error
    assert "acme" in outcome.error


async def test_the_whole_call_is_bounded() -> None:
    async def never() -> Answer:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    outcome = await call_vendor("acme", never(), timeout=0.05)
    assert isinstance(outcome, ProviderResult)
    assert (outcome.success, outcome.retryable) == (False, True)
    assert "0.05s" in (outcome.error or "")


async def test_client_exceptions_are_failures_and_bugs_propagate() -> None:
    timed_out = await call_vendor("acme", _raise(TimeoutException("read")), timeout=1)
    broken = await call_vendor(
        "acme",
        _raise(TransportError(f"reset {KEY}")),
        timeout=1,
        redactor=redactor_for([KEY, None]),
    )
    assert isinstance(timed_out, ProviderResult)
    assert timed_out.retryable
    assert isinstance(broken, ProviderResult)
    assert broken.retryable
    assert KEY not in (broken.error or "")
    with pytest.raises(KeyError):
        await call_vendor("acme", _raise(KeyError("bug")), timeout=1)


def test_a_refused_request_is_permanent() -> None:
    class InvalidURL(Exception):
        pass

    result = failure_from_exception("acme", InvalidURL("no host"), timeout=1)
    assert (result.success, result.retryable) == (False, False)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.vendor.com/v1", True),
        ("http://127.0.0.1:8080/v1", True),
        ("http://localhost/v1", True),
        ("http://[::1]:9/v1", True),
        ("http://api.vendor.com/v1", False),
        ("ftp://api.vendor.com", False),
        ("https://", False),
    ],
)
def test_vendor_urls_need_https_except_to_this_machine(url: str, ok: bool) -> None:
    if ok:
        assert check_vendor_url(url, "base_url") == url
    else:
        with pytest.raises(ValueError, match="base_url"):
            check_vendor_url(url, "base_url")


def test_loopback_hosts() -> None:
    assert is_loopback_host("127.0.0.5")
    assert not is_loopback_host("10.0.0.1")
    assert not is_loopback_host(None)
