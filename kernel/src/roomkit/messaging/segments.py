"""SMS segment counting: how many billed messages a text costs (GSM-7 or UCS-2).

A text made only of GSM 03.38 characters travels as 7-bit septets: 160 in a single message,
153 per part once it is split (the rest of each part holds the concatenation header). The
extension table characters (``€ [ ] { } \\ ~ ^ |`` and form feed) take two septets and are never
cut in half. Any other character switches the whole text to UCS-2: 70 UTF-16 code units in a
single message, 67 per part, and a surrogate pair (an emoji) is never cut in half either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["GSM7_BASIC", "GSM7_EXTENSION", "SmsSegments", "is_gsm7", "sms_segments"]

#: The GSM 03.38 basic character set (one septet each; the escape code itself is left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters of the GSM 03.38 extension table (two septets each: escape + code).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True, slots=True)
class SmsSegments:
    """The cost of a text: ``segments`` messages in ``encoding``; ``units`` counts septets
    (GSM-7) or UTF-16 code units (UCS-2); ``per_segment`` is the room in each message."""

    encoding: Encoding
    segments: int
    units: int
    per_segment: int


def is_gsm7(text: str) -> bool:
    """Whether ``text`` can be sent in the GSM 7-bit alphabet."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def _pack(sizes: list[int], single: int, multi: int) -> tuple[int, int]:
    """(units, segments) for characters of the given unit sizes, never splitting one."""
    total = sum(sizes)
    if total == 0:
        return 0, 0
    if total <= single:
        return total, 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return total, segments


def sms_segments(text: str) -> SmsSegments:
    """Count the SMS segments of ``text`` (an empty text is 0 segments)."""
    if is_gsm7(text):
        sizes = [2 if c in GSM7_EXTENSION else 1 for c in text]
        units, segments = _pack(sizes, 160, 153)
        return SmsSegments("GSM-7", segments, units, 160 if segments <= 1 else 153)
    sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
    units, segments = _pack(sizes, 70, 67)
    return SmsSegments("UCS-2", segments, units, 70 if segments <= 1 else 67)
