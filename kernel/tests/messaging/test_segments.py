"""SMS segment counting: GSM-7 septets vs UCS-2 code units, single vs concatenated limits."""

from __future__ import annotations

import pytest

from roomkit.messaging.segments import is_gsm7, sms_segments


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "units"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 1, 160),
        ("a" * 161, "GSM-7", 2, 161),
        ("a" * 306, "GSM-7", 2, 306),
        ("a" * 307, "GSM-7", 3, 307),
        ("€" * 80, "GSM-7", 1, 160),  # extension characters take two septets
        ("€" * 81, "GSM-7", 2, 162),
        ("é à ü Ñ £ ¥ Δ", "GSM-7", 1, 13),
        ("a" * 70 + "ç", "UCS-2", 2, 71),  # lower-case ç is not GSM-7
        ("ç" * 70, "UCS-2", 1, 70),
        ("ç" * 134, "UCS-2", 2, 134),
        ("ç" * 135, "UCS-2", 3, 135),
        ("😀" * 35, "UCS-2", 1, 70),  # each emoji is a surrogate pair
    ],
)
def test_counts(text: str, encoding: str, segments: int, units: int) -> None:
    result = sms_segments(text)
    assert (result.encoding, result.segments, result.units) == (encoding, segments, units)


def test_an_extension_character_is_never_split_across_parts() -> None:
    # 152 septets then a 2-septet character: it does not fit the first 153-septet part.
    text = "a" * 152 + "€" + "a" * 10
    result = sms_segments(text)
    assert result.units == 164
    assert result.segments == 2
    text = "a" * 152 + "€" + "a" * 152  # 152 | 2+151 | 1 -> three parts
    assert sms_segments(text).segments == 3


def test_a_surrogate_pair_is_never_split_across_parts() -> None:
    text = "ç" * 66 + "😀" + "ç" * 66  # 66 | 2 + 65 | 1
    assert sms_segments(text).segments == 3


def test_per_segment_room() -> None:
    assert sms_segments("hi").per_segment == 160
    assert sms_segments("h" * 200).per_segment == 153
    assert sms_segments("ç").per_segment == 70
    assert sms_segments("ç" * 71).per_segment == 67


def test_is_gsm7() -> None:
    assert is_gsm7("Hello {world} [1] ~ ^ | \\ €")
    assert not is_gsm7("naïve")
    assert not is_gsm7("日本")
