"""A recording RCS provider for tests, with simulated SMS fallback and failures."""

from __future__ import annotations

from collections.abc import Callable

from roomkit.models.event import RoomEvent
from roomkit.providers.mock import MockProviderBase
from roomkit.providers.rcs.base import RCSDeliveryResult, RCSProvider

__all__ = ["MockRCSProvider"]


class MockRCSProvider(MockProviderBase, RCSProvider):
    """Records sends in ``sent`` / ``calls`` (``{"event", "to", "fallback", "channel_used"}``).

    ``simulate_fallback=True``: recipients cannot receive RCS, so a send with ``fallback``
    goes out as SMS (``channel_used="sms"``) and one without fails (permanent).
    ``simulate_failure=True``: every send fails (permanent).
    """

    def __init__(
        self,
        sender_id: str = "mock_rcs_agent",
        *,
        simulate_fallback: bool = False,
        simulate_failure: bool = False,
        webhook_secret: str | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(webhook_secret=webhook_secret, clock=clock)
        self._sender_id = sender_id
        self.simulate_fallback = simulate_fallback
        self.simulate_failure = simulate_failure

    @property
    def calls(self) -> list[dict[str, object]]:
        """RoomKit 0.6.7's name for :attr:`sent`."""
        return self.sent

    @property
    def sender_id(self) -> str:
        return self._sender_id

    @property
    def supports_fallback(self) -> bool:
        return True

    async def check_capability(self, phone_number: str) -> bool:
        return not self.simulate_fallback

    async def send(self, event: RoomEvent, to: str, *, fallback: bool = True) -> RCSDeliveryResult:
        if self.simulate_failure:
            return RCSDeliveryResult(success=False, error="simulated_failure")
        if self.simulate_fallback and not fallback:
            return RCSDeliveryResult(
                success=False, error=f"{to} cannot receive RCS and fallback is off"
            )
        used = "sms" if self.simulate_fallback else "rcs"
        result = await self._record(event, to, fallback=fallback, channel_used=used)
        return RCSDeliveryResult(
            **result.model_dump(), channel_used=used, fallback=used == "sms" and result.success
        )
