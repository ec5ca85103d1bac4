"""The base of RoomKit's pydantic models: validators are built on first use, not at import.

Building a model's validator and serializer (its core schema) is most of what importing a
package of pydantic models costs. ``DeferredModel`` sets ``defer_build=True``, so pydantic builds
them the first time a model validates, serializes or is rebuilt; a program that imports
``roomkit`` pays only for the models it uses. Behaviour is unchanged: the fields, the config and
the errors are the same, and ``inspect.signature(Model)`` still lists the fields (reading it
builds the model).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from pydantic import BaseModel

__all__ = ["DeferredModel"]


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
