"""The error raised when a name that a plugin provides is used and the plugin is missing.

``from roomkit import TwilioSMSProvider`` must fail with an :class:`ImportError` that names the
distribution to install, while ``hasattr(roomkit, "TwilioSMSProvider")`` must return False,
which only an :class:`AttributeError` does. CPython (3.10 and newer) cannot make one class both:
the two built-in exceptions have incompatible instance layouts. So the error comes in two
classes with one common base, :class:`PluginNotInstalledError`, and :func:`missing_name`
picks the one that fits how the name was looked up: the :class:`ImportError` flavour under a
``from ... import`` statement (whose own error would otherwise replace the message by a bare
"cannot import name"), the :class:`AttributeError` flavour everywhere else (attribute access,
``hasattr``, ``getattr`` with a default).
"""

from __future__ import annotations

import sys
from types import FrameType

from roomkit.errors import PluginError

__all__ = [
    "MissingPluginAttributeError",
    "MissingPluginImportError",
    "PluginNotInstalledError",
    "missing_name",
]


class PluginNotInstalledError(PluginError):
    """A name provided by a plugin was used, but that plugin is not installed (or not healthy).

    ``export`` is the name looked up and ``distribution`` the plugin distribution providing it.
    Catch this class to catch both flavours below.
    """

    def __init__(self, message: str, *, name: str, distribution: str) -> None:
        super().__init__(message)
        self.export = name
        self.distribution = distribution


class MissingPluginImportError(PluginNotInstalledError, ImportError):
    """Raised under ``from roomkit import <name>``."""


class MissingPluginAttributeError(PluginNotInstalledError, AttributeError):
    """Raised by ``roomkit.<name>``, ``hasattr`` and ``getattr``."""


def missing_name(message: str, *, name: str, distribution: str) -> PluginNotInstalledError:
    """The error to raise for ``name``: ImportError-flavoured inside ``from ... import``."""
    cls: type[PluginNotInstalledError] = (
        MissingPluginImportError if _in_from_import() else MissingPluginAttributeError
    )
    return cls(message, name=name, distribution=distribution)


def _in_from_import() -> bool:
    """Whether the nearest caller outside roomkit is running a ``from ... import``."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module == "roomkit" or module.startswith("roomkit."):
            frame = frame.f_back
            continue
        code = frame.f_code
        # A package's ``from pkg import name`` first probes the name with ``hasattr`` in
        # importlib's ``_handle_fromlist``; a plain module's goes straight to IMPORT_FROM.
        if code.co_name == "_handle_fromlist" and module.startswith("importlib"):
            return True
        return _opcode_at(frame) == "IMPORT_FROM"
    return False


def _opcode_at(frame: FrameType) -> str:
    import opcode

    offset = frame.f_lasti
    raw = frame.f_code.co_code
    return opcode.opname[raw[offset]] if 0 <= offset < len(raw) else ""
