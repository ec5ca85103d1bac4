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

The copy is the cost of a hit, paid once per text per read: a room's context holds up to
``recent`` events, so a busy room (a full window of newest events) pays it ``recent`` times
per message. For a model without private attributes or extra fields (every stored RoomKit
model) the copy skips those two slots.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

__all__ = ["DecodedModels", "copy_model", "copy_models"]

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__
_new = object.__new__


class DecodedModels(Generic[M]):
    """A bounded map from stored JSON text to the decoded ``model`` (oldest entry out first).

    ``size`` bounds how many texts are kept: about 3 KB each for a short text message, so the
    default (4096) holds the context of a few hundred busy rooms in ~12 MB.
    """

    __slots__ = ("_decode", "_items", "_plain", "_size", "hits", "misses")

    def __init__(self, model: type[M], size: int = 4096) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._decode = model.model_validate_json
        self._items: dict[str, M] = {}
        self._size = size
        # Neither private attributes nor extra fields: both slots are always None.
        self._plain = not model.__private_attributes__ and model.model_config.get("extra") != (
            "allow"
        )
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, text: str) -> M:
        """The model stored as ``text`` (a copy of the one decoded before, or decoded now).

        Raises what ``model_validate_json`` raises for text that is not a valid model.
        """
        model = self._items.get(text)
        if model is None:
            model = self._miss(text)
        else:
            self.hits += 1
        return _copy(model) if not self._plain else _copy_plain(model)

    def many(self, texts: list[str]) -> list[M]:
        """:meth:`get` for each of ``texts``, in order."""
        items = self._items
        copy = _copy_plain if self._plain else _copy
        out: list[M] = []
        append = out.append
        hits = 0
        for text in texts:
            model = items.get(text)
            if model is None:
                model = self._miss(text)
            else:
                hits += 1
            append(copy(model))
        self.hits += hits
        return out

    def clear(self) -> None:
        """Forget every decoded model."""
        self._items.clear()

    def _miss(self, text: str) -> M:
        self.misses += 1
        model = self._decode(text)
        items = self._items
        if len(items) >= self._size:
            del items[next(iter(items))]
        items[text] = model
        return model


def copy_model(model: M) -> M:
    """A shallow copy of ``model`` as :class:`DecodedModels` hands them out: its own
    ``__dict__`` and fields set (assigning an attribute never reaches ``model``), nested values
    shared. For stores that keep decoded models by other keys than their text."""
    return copy_models([model])[0]


# BaseModel's slot setters, called directly: about a third cheaper than object.__setattr__,
# which matters for copy_models (a room's recent events are copied on every cached read).
_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__


def copy_models(models: list[M]) -> list[M]:
    """:func:`copy_model` of each of ``models``, in order."""
    new = _new
    out: list[M] = []
    append = out.append
    set_dict, set_fields, set_extra, set_private = _set_dict, _set_fields, _set_extra, _set_private
    for model in models:
        if model.__pydantic_extra__ is not None or model.__pydantic_private__ is not None:
            append(_copy(model))
            continue
        copy = new(model.__class__)
        set_dict(copy, model.__dict__.copy())
        set_fields(copy, model.__pydantic_fields_set__.copy())
        set_extra(copy, None)
        set_private(copy, None)
        append(copy)
    return out


def _copy_plain(model: M) -> M:
    copy: M = _new(model.__class__)
    _set(copy, "__dict__", model.__dict__.copy())
    _set(copy, "__pydantic_fields_set__", model.__pydantic_fields_set__.copy())
    _set(copy, "__pydantic_extra__", None)
    _set(copy, "__pydantic_private__", None)
    return copy


def _copy(model: M) -> M:
    copy: M = _new(model.__class__)
    _set(copy, "__dict__", model.__dict__.copy())
    _set(copy, "__pydantic_fields_set__", model.__pydantic_fields_set__.copy())
    extra = model.__pydantic_extra__
    _set(copy, "__pydantic_extra__", None if extra is None else dict(extra))
    private = model.__pydantic_private__
    _set(copy, "__pydantic_private__", None if private is None else dict(private))
    return copy
