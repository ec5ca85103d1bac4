"""The identity-resolver conformance suite.

Subclass :class:`IdentityResolverSuite` and provide an async ``component`` fixture yielding an
:class:`~roomkit.identity.base.IdentityResolver`, or an :class:`IdentityHarness` that also says
which sender it knows (and, optionally, how to make its backend fail)::

    class TestCRMResolver(IdentityResolverSuite):
        @pytest.fixture
        async def component(self, crm):
            crm.add(phone="+15550001", identity_id="cust-1")
            yield IdentityHarness(CRMResolver(crm.url), known=("+15550001", "cust-1"),
                                  fail_backend=crm.go_down)

Covered: result shape and status invariants, known and unknown senders, determinism,
concurrent calls, malformed input, a failing backend (typed error), cancellation mid-call.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from roomkit.errors import IdentityResolutionError, RoomKitError
from roomkit.identity.base import IdentityResolver
from roomkit.models.content import TextContent
from roomkit.models.context import RoomContext
from roomkit.models.enums import IdentificationStatus
from roomkit.models.event import InboundMessage
from roomkit.models.participant import IdentityResult
from roomkit.models.room import Room
from roomkit_conformance.base import SuiteBase

__all__ = ["IdentityHarness", "IdentityResolverSuite"]


@dataclass
class IdentityHarness:
    """A resolver plus what the test may rely on.

    * ``known``: ``(sender_id, identity_id)`` the resolver must identify.
    * ``fail_backend``: optional (sync or async) callable after which resolving fails.
    """

    resolver: IdentityResolver
    known: tuple[str, str] | None = None
    fail_backend: Callable[[], Any] | None = None


def _message(sender: str, channel_id: str = "conformance-sms") -> InboundMessage:
    return InboundMessage(
        channel_id=channel_id, sender_id=sender, content=TextContent(body="who am I?")
    )


def _context() -> RoomContext:
    return RoomContext(room=Room())


def check_result(result: Any) -> IdentityResult:
    """Assert the invariants every identity result keeps; return it typed."""
    assert isinstance(result, IdentityResult)
    assert isinstance(result.status, IdentificationStatus)
    if result.status == IdentificationStatus.IDENTIFIED:
        assert result.identity is not None, "IDENTIFIED needs an identity"
    if result.status == IdentificationStatus.AMBIGUOUS:
        assert len(result.candidates) >= 2, "AMBIGUOUS needs two or more candidates"
        assert result.identity is None
    if result.status == IdentificationStatus.UNKNOWN:
        assert result.identity is None, "UNKNOWN must not carry an identity"
    return result


class IdentityResolverSuite(SuiteBase):
    """Conformance tests every :class:`IdentityResolver` plugin must pass."""

    #: Seconds one resolution may take in these tests.
    resolve_timeout: float = 10.0

    @pytest.fixture
    def resolver(self, component: Any) -> IdentityResolver:
        """The resolver under test (unwrapped from an :class:`IdentityHarness`)."""
        return component.resolver if isinstance(component, IdentityHarness) else component

    @pytest.fixture
    def harness(self, component: Any) -> IdentityHarness:
        """The harness; tests needing it skip when the fixture yields a bare resolver."""
        if not isinstance(component, IdentityHarness):
            pytest.skip("component fixture yields a bare resolver: no known sender declared")
        return component

    async def _resolve(self, resolver: IdentityResolver, message: InboundMessage) -> Any:
        async with asyncio.timeout(self.resolve_timeout):
            return await resolver.resolve(message, _context())

    def test_is_an_identity_resolver(self, resolver: IdentityResolver) -> None:
        assert isinstance(resolver, IdentityResolver)

    @pytest.mark.asyncio
    async def test_unknown_sender_is_not_identified(self, resolver: IdentityResolver) -> None:
        sender = f"nobody-{uuid.uuid4().hex}"
        result = check_result(await self._resolve(resolver, _message(sender)))
        assert result.status != IdentificationStatus.IDENTIFIED, (
            "a random sender id must not resolve to a known identity"
        )

    @pytest.mark.asyncio
    async def test_known_sender_is_identified(
        self, resolver: IdentityResolver, harness: IdentityHarness
    ) -> None:
        if harness.known is None:
            pytest.skip("harness declares no known sender")
        sender, identity_id = harness.known
        result = check_result(await self._resolve(resolver, _message(sender)))
        assert result.status == IdentificationStatus.IDENTIFIED
        assert result.identity is not None
        assert result.identity.id == identity_id

    @pytest.mark.asyncio
    async def test_resolution_is_deterministic(
        self, resolver: IdentityResolver, component: Any
    ) -> None:
        known = component.known if isinstance(component, IdentityHarness) else None
        sender = known[0] if known else f"nobody-{uuid.uuid4().hex}"
        first = check_result(await self._resolve(resolver, _message(sender)))
        second = check_result(await self._resolve(resolver, _message(sender)))
        assert first.status == second.status
        first_id = first.identity.id if first.identity else None
        second_id = second.identity.id if second.identity else None
        assert first_id == second_id

    @pytest.mark.asyncio
    async def test_does_not_mutate_the_message(self, resolver: IdentityResolver) -> None:
        message = _message("someone")
        before = message.model_dump()
        await self._resolve(resolver, message)
        assert message.model_dump() == before

    @pytest.mark.asyncio
    async def test_concurrent_resolutions(self, resolver: IdentityResolver) -> None:
        messages = [_message(f"sender-{n}") for n in range(25)]
        results = await asyncio.gather(*(self._resolve(resolver, m) for m in messages))
        for result in results:
            check_result(result)

    @pytest.mark.asyncio
    async def test_malformed_message_is_handled_cleanly(self, resolver: IdentityResolver) -> None:
        malformed = InboundMessage.model_construct(
            channel_id="", sender_id="", content=TextContent(body=""), metadata={}
        )
        try:
            result = await self._resolve(resolver, malformed)
        except (RoomKitError, ValueError):
            return
        result = check_result(result)
        assert result.status != IdentificationStatus.IDENTIFIED, "an empty sender was identified"

    @pytest.mark.asyncio
    async def test_backend_failure_raises_identity_resolution_error(
        self, resolver: IdentityResolver, harness: IdentityHarness
    ) -> None:
        if harness.fail_backend is None:
            pytest.skip("harness cannot make the backend fail")
        outcome = harness.fail_backend()
        if inspect.isawaitable(outcome):
            await outcome
        with pytest.raises(IdentityResolutionError):
            await self._resolve(resolver, _message("anyone"))

    @pytest.mark.asyncio
    async def test_cancellation_leaves_the_resolver_usable(
        self, resolver: IdentityResolver
    ) -> None:
        task = asyncio.create_task(resolver.resolve(_message("cancelled"), _context()))
        await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        check_result(await self._resolve(resolver, _message("after-cancel")))
