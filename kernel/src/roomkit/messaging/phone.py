"""Phone numbers in E.164 form, with the ``phonenumbers`` package.

``phonenumbers`` (Google's libphonenumber metadata, several MB) is not a dependency of the
kernel: install the kernel's ``phone`` extra (``pip install "./kernel[phone]"`` in a RoomKit
checkout, or ``pip install phonenumbers``). It is imported on the first
call, and a missing package raises :class:`~roomkit.errors.MissingDependencyError` naming the
extra -- never a silent ``False``.
"""

from __future__ import annotations

from typing import Any

from roomkit.errors import InvalidContentError, MissingDependencyError
from roomkit.plugins.known import install_hint

__all__ = ["is_valid_phone", "normalize_phone"]


def _phonenumbers() -> Any:
    try:
        import phonenumbers  # lazy: optional dependency (the [phone] extra), several MB
    except ImportError:
        raise MissingDependencyError(
            "phone number helpers need the phonenumbers package, the [phone] extra of "
            f"roomkit-kernel: {install_hint('roomkit-kernel', 'phone')}"
        ) from None
    return phonenumbers


def _parse(number: str, default_region: str) -> Any:
    if not isinstance(number, str) or not number.strip():
        raise InvalidContentError("phone number must be a non-empty string")
    lib = _phonenumbers()
    try:
        return lib.parse(number, default_region.upper())
    except lib.NumberParseException as exc:
        raise InvalidContentError(
            f"{number!r} is not a phone number ({exc}); give it with its country code "
            f"(+1...) or pass default_region"
        ) from None


def normalize_phone(number: str, default_region: str = "US") -> str:
    """``number`` in E.164 form (``"+14185551234"``); ``default_region`` (ISO 3166 alpha-2)
    applies to numbers written without a country code.

    Raises :class:`~roomkit.errors.InvalidContentError` (a ``ValueError``) when the number
    cannot be parsed or is not a valid number.
    """
    lib = _phonenumbers()
    parsed = _parse(number, default_region)
    if not lib.is_valid_number(parsed):
        raise InvalidContentError(f"{number!r} is not a valid phone number")
    result: str = lib.format_number(parsed, lib.PhoneNumberFormat.E164)
    return result


def is_valid_phone(number: str, default_region: str = "US") -> bool:
    """Whether ``number`` is a valid phone number (see :func:`normalize_phone`)."""
    try:
        normalize_phone(number, default_region)
    except InvalidContentError:
        return False
    return True
