"""Turn what the kit reports (events, hook payloads, framework events) into small JSON values.

Everything the console sends to a browser goes through :func:`to_json`: pydantic models are
dumped in JSON mode, values under keys that look like credentials are replaced by
``"[redacted]"``, long strings are cut and deep or wide structures are bounded, so one huge
payload can neither leak a secret nor flood the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

__all__ = ["REDACTED", "is_secret_key", "to_json"]

REDACTED = "[redacted]"

_SECRET_KEY = re.compile(
    r"(secret|token|passw|api[_-]?key|apikey|authori[sz]ation|cookie|credential|"
    r"signature|private[_-]?key|session[_-]?key|bearer)",
    re.IGNORECASE,
)

MAX_STRING = 2_000
MAX_ITEMS = 100
MAX_DEPTH = 8


def is_secret_key(key: object) -> bool:
    """Whether a mapping key names something that must not be shown (a token, a password)."""
    return isinstance(key, str) and _SECRET_KEY.search(key) is not None


def _cut(text: str) -> str:
    if len(text) <= MAX_STRING:
        return text
    return f"{text[:MAX_STRING]}... [{len(text) - MAX_STRING} more characters]"


def to_json(value: Any, _depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` with secrets redacted and sizes bounded."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _cut(value)
    if isinstance(value, Enum):
        return to_json(value.value, _depth)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"[{len(value)} bytes]"
    if _depth >= MAX_DEPTH:
        return "[...]"
    if isinstance(value, BaseModel):
        try:
            dumped = value.model_dump(mode="json")
        except Exception:  # a model holding something JSON cannot express
            dumped = value.model_dump()
        return to_json(dumped, _depth + 1)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for i, (key, item) in enumerate(value.items()):
            if i >= MAX_ITEMS:
                out["..."] = f"{len(value) - MAX_ITEMS} more keys"
                break
            name = str(key)
            out[name] = REDACTED if is_secret_key(name) else to_json(item, _depth + 1)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        out_list = [to_json(item, _depth + 1) for item in items[:MAX_ITEMS]]
        if len(items) > MAX_ITEMS:
            out_list.append(f"... {len(items) - MAX_ITEMS} more items")
        return out_list
    return _cut(f"<{type(value).__name__}>")
