"""The exception hierarchy.

Every error RoomKit raises on purpose is a :class:`RoomKitError`, so callers can catch the
whole family with one ``except`` and the narrower classes when they care which rule was broken.
"""

from __future__ import annotations

__all__ = [
    "ChainDepthExceededError",
    "ChannelNotFoundError",
    "ChannelNotRegisteredError",
    "CircuitOpenError",
    "ConfigurationError",
    "DeliveryError",
    "HookTimeoutError",
    "IdentityResolutionError",
    "InvalidContentError",
    "LockBackendError",
    "PayloadTooLargeError",
    "PluginError",
    "ProviderError",
    "RateLimitedError",
    "RoomClosedError",
    "RoomKitError",
    "RoomLockLostError",
    "RoomLockTimeoutError",
    "RoomNotFoundError",
    "StoreError",
]


class RoomKitError(Exception):
    """Base class of every error RoomKit raises deliberately."""


class ConfigurationError(RoomKitError, ValueError):
    """A component, hook or channel was configured with values it cannot work with."""


class RoomNotFoundError(RoomKitError):
    """No room exists with the given id."""


class RoomClosedError(RoomKitError):
    """The room is closed and accepts no new events."""


class ChannelNotFoundError(RoomKitError):
    """The channel is not attached to the room (or not known to the kit)."""


class ChannelNotRegisteredError(ChannelNotFoundError):
    """No channel with this id was registered with ``RoomKit.register_channel``."""


class InvalidContentError(RoomKitError, ValueError):
    """The content of a message is malformed or of a type the target cannot take."""


class PayloadTooLargeError(InvalidContentError):
    """The message body or payload exceeds the configured size limit."""


class RateLimitedError(RoomKitError):
    """A rate limit rejected the message; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CircuitOpenError(RoomKitError):
    """The circuit breaker of a binding is open: deliveries are refused until it cools down."""


class DeliveryError(RoomKitError):
    """Delivering an event to a channel failed."""


class ChainDepthExceededError(RoomKitError):
    """An event chain went deeper than the configured maximum (a loop between channels)."""


class HookTimeoutError(RoomKitError, TimeoutError):
    """A hook did not finish within its timeout."""


class IdentityResolutionError(RoomKitError):
    """The identity resolver failed or timed out."""


class RoomLockTimeoutError(RoomKitError, TimeoutError):
    """The per-room lock could not be acquired in time."""


class RoomLockLostError(RoomKitError):
    """A room lock was lost while it was held.

    Its lease ran out and another process took the room, or the database session holding it
    ended. Work done under the lost lock must not be committed; a store that checks fencing
    tokens raises this for a write whose token is older than the room's latest one.
    """


class StoreError(RoomKitError):
    """The conversation store rejected or failed an operation."""


class LockBackendError(StoreError):
    """The lock manager's backend (Redis, PostgreSQL ...) failed or could not be reached.

    Nothing was locked, so the message was not processed; it may be retried once the backend
    is back. A subclass of :class:`StoreError`, like every failure of shared storage.
    """


class ProviderError(RoomKitError):
    """An external provider (AI, SMS, email ...) failed.

    ``retryable`` tells the caller whether the same request may succeed later (rate limits,
    server errors, timeouts); ``status_code`` carries the vendor's HTTP status when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        retryable: bool = False,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.retryable = retryable
        self.status_code = status_code


class PluginError(RoomKitError):
    """A plugin could not be loaded, is incompatible, or a component name is unknown."""
