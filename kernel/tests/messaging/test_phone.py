"""normalize_phone / is_valid_phone over phonenumbers, and the error when it is missing."""

from __future__ import annotations

import sys

import pytest

from roomkit.errors import InvalidContentError, MissingDependencyError, RoomKitError
from roomkit.messaging.phone import is_valid_phone, normalize_phone


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        ("418-555-1234", "CA", "+14185551234"),
        ("+1 (418) 555-1234", "US", "+14185551234"),
        ("(202) 555-0173", "US", "+12025550173"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+44 20 7946 0958", "US", "+442079460958"),
    ],
)
def test_normalize_to_e164(number: str, region: str, expected: str) -> None:
    assert normalize_phone(number, region) == expected
    assert is_valid_phone(number, region)


@pytest.mark.parametrize("number", ["not a number", "123", "+1 000 000 0000", ""])
def test_invalid_numbers_raise_a_typed_value_error(number: str) -> None:
    with pytest.raises(InvalidContentError) as info:
        normalize_phone(number)
    assert isinstance(info.value, ValueError)
    assert not is_valid_phone(number)


def test_missing_phonenumbers_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "phonenumbers", None)  # import now fails
    with pytest.raises(MissingDependencyError, match=r"\[phone\] extra of roomkit-kernel") as info:
        normalize_phone("+14185551234")
    assert 'pip install "./kernel[phone]"' in str(info.value)  # from the checkout, no index
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, RoomKitError)
    with pytest.raises(MissingDependencyError):
        is_valid_phone("+14185551234")  # never a silent False
