"""The base of RoomKit's pydantic models: validators are built on first use, not at import.

Building a model's validator and serializer (its core schema) is most of what importing a
package of pydantic models costs. ``DeferredModel`` sets ``defer_build=True``, so pydantic builds
them the first time a model validates, serializes or is rebuilt; a program that imports
``roomkit`` pays only for the models it uses. Behaviour is unchanged: the fields, the config and
the errors are the same, and ``inspect.signature(Model)`` still lists the fields (reading it
builds the model).

Attribute reads are plain too. Pydantic's ``BaseModel`` defines ``__getattr__`` (for private
attributes and ``extra="allow"`` fields); a class with a ``__getattr__`` in its MRO gets CPython's
"``__getattribute__``, then ``__getattr__``" dispatcher for every attribute read, which the
interpreter cannot specialise: reading ``event.room_id`` costs about four times a plain
object's read (~380 machine instructions instead of ~90 on CPython 3.11), and the message path
reads model fields about a hundred times per message. For a model whose ``__getattr__`` could
never answer anything (no private attributes, no extra fields allowed, neither hook
overridden), ``object.__getattribute__`` alone is exactly what pydantic's ``__getattr__`` ends
in: the same values, and ``AttributeError: '<Class>' object has no attribute '<name>'`` for a
missing one. :func:`plain_reads` gives such a class that dispatcher (``PyObject_GenericGetAttr``
in its ``tp_getattro`` slot), on CPython only and only after checking the type layout on two
probe classes; anywhere else it does nothing. Subclasses are decided on their own (creating a
class computes its slot from its MRO again), and assigning ``__getattr__`` or
``__getattribute__`` on a class later restores pydantic's dispatcher.
"""

from __future__ import annotations

import ctypes
import inspect
import platform
from typing import Any, ClassVar

from pydantic import BaseModel

__all__ = ["DeferredModel", "plain_reads"]


#: ``tp_getattro``'s place in ``PyTypeObject``: after ``PyObject_VAR_HEAD`` (3 words) and 15
#: slots (``tp_name`` ... ``tp_str``), one pointer each, in every CPython 3.x release build.
_OFFSET = 18 * ctypes.sizeof(ctypes.c_void_p)


def _slot(cls: type) -> ctypes.c_void_p:
    return ctypes.c_void_p.from_address(id(cls) + _OFFSET)


def _generic_getattr() -> int | None:
    """The address of ``PyObject_GenericGetAttr`` when the layout is as expected, else None."""
    if platform.python_implementation() != "CPython":
        return None
    try:
        generic = ctypes.cast(ctypes.pythonapi.PyObject_GenericGetAttr, ctypes.c_void_p).value
    except (AttributeError, ValueError):  # pragma: no cover - no pythonapi
        return None

    class _Plain:
        pass

    class _Hooked:
        def __getattr__(self, name: str) -> Any:
            raise AttributeError(name)

    if generic is None or _slot(_Plain).value != generic or _slot(_Hooked).value == generic:
        return None
    return generic


_GENERIC = _generic_getattr()
_BASE_GETATTR = BaseModel.__dict__.get("__getattr__")


def plain_reads(cls: type[BaseModel]) -> bool:
    """Give ``cls`` plain attribute reads when its ``__getattr__`` can never answer (see the
    module docstring); returns whether it did."""
    if (
        _GENERIC is None
        or _BASE_GETATTR is None
        or cls.__private_attributes__
        or cls.model_config.get("extra") == "allow"
        or getattr(cls, "__getattr__", None) is not _BASE_GETATTR
        or cls.__getattribute__ is not object.__getattribute__
    ):
        return False
    _slot(cls).value = _GENERIC
    return True


class _SignatureOnFirstRead:
    """``__signature__`` of a model not built yet: build it, then read pydantic's own.

    Pydantic sets ``__signature__`` on a model class when it builds it; until then this
    descriptor, found through the MRO, stands in. Instances have no ``__signature__`` (as with
    pydantic: ``inspect.signature`` of an instance uses ``__call__``).
    """

    def __get__(self, instance: object, owner: type[BaseModel]) -> inspect.Signature:
        if instance is not None:
            raise AttributeError("__signature__")
        owner.model_rebuild(raise_errors=False)
        own = owner.__dict__.get("__signature__")
        if own is None or isinstance(own, _SignatureOnFirstRead):
            raise AttributeError("__signature__")  # not buildable yet: inspect uses __init__
        signature: inspect.Signature = getattr(owner, "__signature__")  # noqa: B009
        return signature


class DeferredModel(BaseModel, defer_build=True):
    """A pydantic ``BaseModel`` whose validator is built on first use (see the module doc)."""

    __signature__: ClassVar[inspect.Signature] = _SignatureOnFirstRead()  # type: ignore[assignment]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Give each model not built yet its own stand-in signature: found through the MRO,
        a parent's (already built) signature would otherwise answer for the subclass."""
        super().__pydantic_init_subclass__(**kwargs)
        if not cls.__pydantic_complete__:
            cls.__signature__ = _SignatureOnFirstRead()  # type: ignore[assignment]
        plain_reads(cls)  # attribute reads without pydantic's __getattr__ (module doc)
