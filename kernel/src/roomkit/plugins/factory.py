"""Create components by kind and name from configuration.

``RoomKit(store="sqlite", store_config={...})`` and ``RoomKit.from_config(...)`` end up here::

    store = create_component("store", "sqlite", {"path": "rooms.db"})

The descriptor's pydantic config model validates the mapping; the factory then receives the
model's fields as keyword arguments (or the model itself when the descriptor sets
``pass_config``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from roomkit.errors import ConfigurationError, PluginError
from roomkit.plugins.catalogue import Catalogue, Provided, get_catalogue
from roomkit.plugins.descriptors import ComponentDescriptor, load_ref
from roomkit.plugins.known import KNOWN_COMPONENTS, install_hint

__all__ = ["create_component", "describe_config_errors", "load_config_model", "validate_config"]


def create_component(
    kind: str,
    name: str,
    config: Mapping[str, Any] | BaseModel | None = None,
    *,
    catalogue: Catalogue | None = None,
) -> object:
    """Build the ``kind`` component registered as ``name``, configured by ``config``.

    Raises :class:`~roomkit.errors.PluginError` when no installed plugin provides the name
    (the message lists installed alternatives, a close match and how to install it) and
    :class:`~roomkit.errors.ConfigurationError` when ``config`` does not validate.
    """
    catalogue = catalogue if catalogue is not None else get_catalogue()
    catalogue.check_kind(kind)
    provided = catalogue.find(kind, name)
    if provided is None:
        raise PluginError(_not_found_message(catalogue, kind, name))
    descriptor = provided.descriptor
    validated = validate_config(descriptor, config)
    try:
        factory = load_ref(descriptor.factory)
    except ImportError as exc:
        raise PluginError(
            f"{kind} {name!r} (plugin {provided.plugin.name!r}) could not be imported: {exc}"
        ) from exc
    except AttributeError as exc:
        raise PluginError(
            f"{kind} {name!r}: factory {descriptor.factory!r} does not exist: {exc}"
        ) from exc
    return _call_factory(factory, descriptor, validated, config, provided)


def load_config_model(descriptor: ComponentDescriptor) -> type[BaseModel] | None:
    """Import the descriptor's config model (``None`` when it declares none)."""
    if descriptor.config_model is None:
        return None
    try:
        model = load_ref(descriptor.config_model)
    except (ImportError, AttributeError) as exc:
        raise PluginError(
            f"{descriptor.kind} {descriptor.name!r}: config model "
            f"{descriptor.config_model!r} could not be loaded: {exc}"
        ) from exc
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise PluginError(
            f"{descriptor.kind} {descriptor.name!r}: config model "
            f"{descriptor.config_model!r} is not a pydantic model"
        )
    return model


def validate_config(
    descriptor: ComponentDescriptor, config: Mapping[str, Any] | BaseModel | None
) -> BaseModel | None:
    """Validate ``config`` with the descriptor's model; ConfigurationError lists every error."""
    model = load_config_model(descriptor)
    if model is None:
        if isinstance(config, BaseModel):
            raise ConfigurationError(
                f"{descriptor.kind} {descriptor.name!r} declares no config model; "
                "pass a mapping of keyword arguments instead"
            )
        return None
    if isinstance(config, model):
        return config
    data = config.model_dump() if isinstance(config, BaseModel) else dict(config or {})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(
            f"invalid configuration for {descriptor.kind} {descriptor.name!r}:\n"
            + describe_config_errors(exc)
        ) from exc


def describe_config_errors(exc: ValidationError) -> str:
    """One ``- field: message`` line per pydantic error (input values left out: may be secret)."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "(config)"
        lines.append(f"- {where}: {error['msg']}")
    return "\n".join(lines)


def _call_factory(
    factory: Any,
    descriptor: ComponentDescriptor,
    validated: BaseModel | None,
    config: Mapping[str, Any] | BaseModel | None,
    provided: Provided,
) -> object:
    if validated is None:
        kwargs = dict(config) if isinstance(config, Mapping) else {}
        args: tuple[Any, ...] = ()
    elif descriptor.pass_config:
        kwargs, args = {}, (validated,)
    else:
        kwargs = {field: getattr(validated, field) for field in type(validated).model_fields}
        args = ()
    try:
        return factory(*args, **kwargs)
    except TypeError as exc:
        raise ConfigurationError(
            f"{descriptor.kind} {descriptor.name!r} (plugin {provided.plugin.name!r}) rejected "
            f"its configuration: {exc}"
        ) from exc


def _not_found_message(catalogue: Catalogue, kind: str, name: str) -> str:
    installed = catalogue.names(kind)
    known = sorted({n for (k, n) in KNOWN_COMPONENTS if k == kind})
    message = f"{kind} {name!r} not found; installed: {', '.join(installed) or 'none'}"
    target = name
    if (kind, name) not in KNOWN_COMPONENTS:
        close = difflib.get_close_matches(name, sorted(set(installed) | set(known)), n=1)
        if close:
            target = close[0]
            message += f"; did you mean {target!r}?"
    if target not in installed:
        distribution = KNOWN_COMPONENTS.get((kind, target))
        if distribution is not None:
            broken = _broken_record(catalogue, distribution)
            if broken is not None:
                message += f" ({distribution} is installed but {broken})"
            else:
                separator = " " if message.endswith("?") else "; "
                message += separator + install_hint(distribution)
    return message


def _broken_record(catalogue: Catalogue, distribution: str) -> str | None:
    for record in catalogue.plugins:
        declared = record.info.distribution if record.info else record.distribution
        if declared == distribution and not record.ok:
            return f"{record.status}: {record.error}"
    return None
