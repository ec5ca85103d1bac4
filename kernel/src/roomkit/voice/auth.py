"""Authenticating callers of voice sessions.

A transport that accepts connections (a WebSocket, a SIP INVITE) calls an
:data:`AuthCallback` with what the caller presented (headers, query, SIP headers); the callback
returns the caller's auth context (a dict) or ``None`` to refuse the call. While a session's
turn is handled, :data:`auth_context` holds that dict, so hooks and tools can read who is on the
line without threading it through every call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any

from roomkit.errors import VoiceSessionError

__all__ = ["AuthCallback", "auth_context", "authenticate"]

#: ``async callback(credentials) -> auth dict | None`` (``None`` refuses the caller).
AuthCallback = Callable[[Mapping[str, Any]], Awaitable[dict[str, Any] | None]]

#: The auth context of the session being handled (``None`` outside one, or when anonymous).
auth_context: ContextVar[dict[str, Any] | None] = ContextVar("roomkit_auth_context", default=None)


async def authenticate(callback: AuthCallback, credentials: Mapping[str, Any]) -> dict[str, Any]:
    """Run ``callback``; raises :class:`~roomkit.errors.VoiceSessionError` when it refuses."""
    result = await callback(credentials)
    if result is None:
        raise VoiceSessionError("the caller was refused by the auth callback")
    if not isinstance(result, dict):
        raise VoiceSessionError(
            f"an AuthCallback must return a dict or None, got {type(result).__name__}"
        )
    return result
