"""Short renderings of caller-supplied values for error messages.

Ids come from outside (a webhook, a client) and may be arbitrarily long; an error message
that echoes a 100 kB id becomes a 100 kB log line. :func:`short_id` keeps the start of the
value, enough to recognise it.
"""

from __future__ import annotations

from pydantic import ValidationError

__all__ = ["problems", "short_id"]

_LIMIT = 80


def short_id(value: object, limit: int = _LIMIT) -> str:
    """``repr`` of ``value`` as text, cut to its first ``limit`` characters plus ``...``."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        return repr(text[:limit]) + "..."
    return repr(text)


def problems(exc: ValidationError, limit: int = 3) -> str:
    """The fields a pydantic ``ValidationError`` complains about, without echoing input."""
    errors = exc.errors(include_url=False, include_input=False)
    parts = [
        f"{'.'.join(str(p) for p in error['loc']) or 'value'}: {error['msg']}"
        for error in errors[:limit]
    ]
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)
