"""The identity suite passes a correct resolver and catches broken ones."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from roomkit.errors import IdentityResolutionError
from roomkit.identity.base import IdentityResolver
from roomkit.models.context import RoomContext
from roomkit.models.enums import IdentificationStatus
from roomkit.models.event import InboundMessage
from roomkit.models.participant import Identity, IdentityResult
from roomkit_conformance.runner import Target, run_target
from roomkit_conformance.suites import SUITES
from roomkit_conformance.suites.identity import IdentityHarness, IdentityResolverSuite


class TableResolver(IdentityResolver):
    """A correct resolver over a dict of sender ids."""

    def __init__(self, table: dict[str, Identity]) -> None:
        self.table = table
        self.down = False

    async def resolve(self, message: InboundMessage, context: RoomContext) -> IdentityResult:
        if self.down:
            raise IdentityResolutionError("directory unreachable")
        await asyncio.sleep(0)
        identity = self.table.get(message.sender_id)
        if identity is None:
            return IdentityResult(status=IdentificationStatus.UNKNOWN, address=message.sender_id)
        return IdentityResult(status=IdentificationStatus.IDENTIFIED, identity=identity)


class TestTableResolver(IdentityResolverSuite):
    @pytest.fixture
    def component(self) -> IdentityHarness:
        resolver = TableResolver({"+1555": Identity(id="id-1")})

        def fail() -> None:
            resolver.down = True

        return IdentityHarness(resolver, known=("+1555", "id-1"), fail_backend=fail)


BROKEN = """
from roomkit.identity.base import IdentityResolver
from roomkit.models.enums import IdentificationStatus
from roomkit.models.participant import Identity, IdentityResult
from roomkit_conformance.suites.identity import IdentityHarness

class Everyone(IdentityResolver):
    down = False
    async def resolve(self, message, context):
        if self.down:
            raise RuntimeError("raw failure")
        message.metadata["seen"] = True
        return IdentityResult(status=IdentificationStatus.IDENTIFIED,
                              identity=Identity(id="someone-" + message.sender_id))

def make():
    resolver = Everyone()
    def fail():
        resolver.down = True
    return IdentityHarness(resolver, known=("x", "id-x"), fail_backend=fail)
"""


def test_broken_resolver_fails_the_suite(tmp_path: Path) -> None:
    (tmp_path / "broken_identity.py").write_text(BROKEN)
    target = Target(
        "test", "identity_resolver", "broken", "broken_identity:make", SUITES["identity_resolver"]
    )
    result = run_target(target, workdir=tmp_path / "work", extra_pythonpath=[str(tmp_path)])
    assert result.status == "failed"
    failed = " ".join(result.failures)
    for name in (
        "test_unknown_sender_is_not_identified",
        "test_known_sender_is_identified",
        "test_does_not_mutate_the_message",
        "test_malformed_message_is_handled_cleanly",
        "test_backend_failure_raises_identity_resolution_error",
    ):
        assert name in failed, f"{name} should have failed"
