"""Decoded models by the JSON text a store keeps them as: decode each stored text once.

Stores that keep models as JSON text read the same texts again and again: every message reads
the room, its bindings and its newest events (the room context), and those rows rarely
change between two messages. :class:`DecodedModels` keys decoded models by their exact text,
so it can never be stale, whoever wrote the row (another process included): a changed row is
a different text, decoded afresh. Validating a room event from JSON costs ~11 µs; finding it
here and handing out a copy costs ~2 µs.

Every caller gets its own shallow copy (a fresh ``__dict__`` and fields set): assigning an
attribute (``event.status = ...``) never reaches the cached model or another caller's copy.
Nested values (``content``, ``metadata`` dicts) are shared between copies, as the store
contract allows (``ConversationStore``: returned objects may be shared); change them through
the store's ``update_*`` methods, which write a new text.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

__all__ = ["DecodedModels"]

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__


class DecodedModels(Generic[M]):
    """A bounded map from stored JSON text to the decoded ``model`` (oldest entry out first).

    ``size`` bounds how many texts are kept: about 3 KB each for a short text message, so the
    default (4096) holds the context of a few hundred busy rooms in ~12 MB.
    """

    __slots__ = ("_decode", "_items", "_size", "hits", "misses")

    def __init__(self, model: type[M], size: int = 4096) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._decode = model.model_validate_json
        self._items: dict[str, M] = {}
        self._size = size
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, text: str) -> M:
        """The model stored as ``text`` (a copy of the one decoded before, or decoded now).

        Raises what ``model_validate_json`` raises for text that is not a valid model.
        """
        items = self._items
        model = items.get(text)
        if model is None:
            self.misses += 1
            model = self._decode(text)
            if len(items) >= self._size:
                del items[next(iter(items))]
            items[text] = model
        else:
            self.hits += 1
        return _copy(model)

    def many(self, texts: list[str]) -> list[M]:
        """:meth:`get` for each of ``texts``, in order."""
        get = self.get
        return [get(text) for text in texts]

    def clear(self) -> None:
        """Forget every decoded model."""
        self._items.clear()


def _copy(model: M) -> M:
    copy = model.__class__.__new__(model.__class__)
    _set(copy, "__dict__", model.__dict__.copy())
    _set(copy, "__pydantic_fields_set__", set(model.__pydantic_fields_set__))
    extra = model.__pydantic_extra__
    _set(copy, "__pydantic_extra__", None if extra is None else dict(extra))
    private = model.__pydantic_private__
    _set(copy, "__pydantic_private__", None if private is None else dict(private))
    return copy
