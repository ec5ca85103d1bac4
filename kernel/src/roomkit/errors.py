"""The exception hierarchy.

Every error RoomKit raises on purpose is a :class:`RoomKitError`, so callers can catch the
whole family with one ``except`` and the narrower classes when they care which rule was broken.
"""

from __future__ import annotations

__all__ = [
    "AudioFormatError",
    "AudioStageError",
    "ChainDepthExceededError",
    "ChannelNotFoundError",
    "ChannelNotRegisteredError",
    "CircuitOpenError",
    "ConfigurationError",
    "DeliveryError",
    "HookTimeoutError",
    "IdentityNotFoundError",
    "IdentityResolutionError",
    "InvalidContentError",
    "LockBackendError",
    "MissingDependencyError",
    "ParticipantNotFoundError",
    "PayloadTooLargeError",
    "PermanentProviderError",
    "PluginError",
    "ProviderError",
    "ProviderTimeoutError",
    "RateLimitedError",
    "RoomClosedError",
    "RoomKitError",
    "RoomLockLostError",
    "RoomLockTimeoutError",
    "RoomNotFoundError",
    "StoreError",
    "StoreInputError",
    "TaskRunnerError",
    "TransientProviderError",
    "VoiceBackendNotConfiguredError",
    "VoiceNotConfiguredError",
    "VoiceSessionError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookSignatureError",
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


class StoreInputError(StoreError, ValueError):
    """A value handed to a conversation store cannot be kept faithfully, or an argument is out
    of range: a NUL character or lone surrogate in a string, NaN or infinity, bytes, tuples or
    sets in metadata, a model left invalid by ``model_copy(update=...)``, ``limit=2**63``.
    Every store rejects the same values with this error; retrying the same value never helps."""


class ProviderError(RoomKitError):
    """An external provider (AI, SMS, email ...) failed.

    ``retryable`` tells the caller whether the same request may succeed later (rate limits,
    server errors, timeouts); ``status_code`` carries the vendor's HTTP status when there is one
    and ``retry_after`` the seconds the vendor asked to wait (a ``Retry-After`` header).
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        retryable: bool = False,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.retryable = retryable
        self.status_code = status_code
        self.retry_after = retry_after


class PluginError(RoomKitError):
    """A plugin could not be loaded, is incompatible, or a component name is unknown."""


class TransientProviderError(ProviderError):
    """A provider failure that may succeed if the same request is sent again later: vendor
    5xx, 429 (``retry_after`` seconds, when the vendor said), timeouts, dropped connections.
    The engine's retry policy retries it."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            provider=provider,
            retryable=True,
            status_code=status_code,
            retry_after=retry_after,
        )


class PermanentProviderError(ProviderError):
    """A provider failure that the same request will hit again: vendor 4xx (bad number,
    unauthorised, content refused), no recipient. The engine does not retry it."""

    def __init__(self, message: str, *, provider: str = "", status_code: int | None = None) -> None:
        super().__init__(message, provider=provider, retryable=False, status_code=status_code)


class ProviderTimeoutError(TransientProviderError, TimeoutError):
    """A provider did not answer in time (always ``retryable``).

    ``timeout`` is the limit that ran out, in seconds, and ``setting`` names the option that
    sets it when known: for AI providers ``"timeout"`` (the overall deadline of one answer,
    retries and streaming included), ``"connect_timeout"`` or ``"read_timeout"`` (one HTTP
    attempt).
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        timeout: float | None = None,
        setting: str = "",
    ) -> None:
        super().__init__(message, provider=provider)
        self.timeout = timeout
        self.setting = setting


class WebhookError(RoomKitError):
    """An inbound webhook request was refused; ``status_code`` is the HTTP answer to give."""

    status_code: int = 400


class WebhookSignatureError(WebhookError):
    """The webhook's signature is missing, does not match, or is too old to accept.

    ``reason`` is ``"missing"``, ``"invalid"`` or ``"expired"`` (a replayed request whose
    signed timestamp is outside the accepted window).
    """

    status_code = 403

    def __init__(self, message: str, *, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


class WebhookPayloadError(WebhookError, InvalidContentError):
    """The webhook body is malformed or not a payload the provider sends."""

    status_code = 400


class MissingDependencyError(RoomKitError, ImportError):
    """An optional dependency is not installed; the message names what to install."""


class IdentityNotFoundError(RoomKitError):
    """No identity exists with the given id (or linked to the given address)."""


class ParticipantNotFoundError(RoomKitError):
    """The room has no participant with the given id."""


# --- voice -------------------------------------------------------------------------------


class AudioFormatError(InvalidContentError):
    """Audio is not in a shape RoomKit can process: odd-length or partial PCM16 samples, a
    non-positive sample rate, fewer than one channel, or a format a stage does not take."""


class AudioStageError(RoomKitError):
    """An audio pipeline stage raised or stalled while processing one session's audio.

    The pipeline reports it (``AudioPipeline.on_error``) and keeps the session running;
    ``stage`` names the stage role (``"vad"``, ``"denoiser"`` ...), ``session_id`` the session.
    """

    def __init__(self, message: str, *, stage: str = "", session_id: str = "") -> None:
        super().__init__(message)
        self.stage = stage
        self.session_id = session_id


class VoiceSessionError(RoomKitError):
    """A voice session is unknown or has ended, or per-session state would be shared."""


class VoiceNotConfiguredError(RoomKitError):
    """A voice operation needs a provider (STT, TTS ...) that was not configured."""


class VoiceBackendNotConfiguredError(RoomKitError):
    """A voice operation needs a voice backend (the audio transport) that was not configured."""


class TaskRunnerError(RoomKitError):
    """A task runner cannot take a delegated task (it is closed, or at its limit of running
    tasks)."""
