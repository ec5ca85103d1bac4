"""What a plugin tells the kernel about itself and the components it provides.

Descriptors name everything lazily (``"module:attr"`` strings), so listing plugins never
imports a component's module, let alone a vendor SDK.
"""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from roomkit.deferred import DeferredModel
from roomkit.plugins.kinds import COMPONENT_KINDS

__all__ = ["COMPONENT_KINDS", "ComponentDescriptor", "PluginInfo", "load_ref"]


def load_ref(ref: str) -> Any:
    """Import ``"package.module:attr"`` and return the attribute."""
    module_name, sep, attr = ref.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"reference {ref!r} is not of the form 'package.module:attr'")
    value: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        value = getattr(value, part)
    return value


def _check_kind(value: str) -> str:
    if value not in COMPONENT_KINDS:
        raise ValueError(f"unknown component kind {value!r}; kinds: {', '.join(COMPONENT_KINDS)}")
    return value


def _check_ref(value: str | None) -> str | None:
    if value is not None and value.count(":") != 1:
        raise ValueError(f"{value!r} must be a 'package.module:attr' reference")
    return value


class ComponentDescriptor(DeferredModel):
    """One component a plugin provides.

    * ``kind`` -- one of :data:`roomkit.plugins.kinds.COMPONENT_KINDS`.
    * ``factory`` -- ``"module:attr"`` of the class (or function) that builds the component;
      called with the validated config model's fields as keyword arguments.
    * ``config_model`` -- ``"module:attr"`` of a pydantic model validating its configuration.
    * ``capabilities`` -- feature flags the conformance suite uses to pick which tests apply
      (e.g. ``"streaming"``, ``"tools"``, ``"vision"``, ``"cross_process"``).
    * ``exports`` -- public names that ``from roomkit import <name>`` resolves to this plugin;
      each must be an attribute of the factory's module or of the config model's module.
    * ``conformance`` -- ``"module:attr"`` of a zero-argument (sync or async) callable, or
      async context manager factory, that builds a ready test instance for the suite.
    * ``conformance_exempt`` -- instead of ``conformance``: why the component has no
      conformance factory (e.g. the suite needs a wire fake the vendor has none of);
      ``roomkit conformance`` reports the reason instead of failing the component.
    * ``pass_config`` -- when true, the factory receives the validated config model instance
      as its single positional argument (``OpenAIAIProvider(OpenAIConfig(...))``) instead of
      its fields as keyword arguments.
    """

    model_config = ConfigDict(frozen=True)

    kind: str = Field(json_schema_extra={"enum": list(COMPONENT_KINDS)})
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    factory: str
    config_model: str | None = None
    capabilities: frozenset[str] = frozenset()
    exports: tuple[str, ...] = ()
    conformance: str | None = None
    conformance_exempt: str | None = Field(default=None, min_length=1)
    description: str = ""
    pass_config: bool = False

    _validate_kind = field_validator("kind")(_check_kind)

    @model_validator(mode="after")
    def _factory_or_exemption(self) -> ComponentDescriptor:
        if self.conformance is not None and self.conformance_exempt is not None:
            raise ValueError("give either conformance or conformance_exempt, not both")
        return self

    _validate_factory = field_validator("factory", "config_model", "conformance")(_check_ref)


class PluginInfo(DeferredModel):
    """Metadata of a plugin distribution.

    ``kernel_api`` is a PEP 440 specifier of the kernel plugin-API versions the plugin works
    with (e.g. ``">=1,<2"``); plugins outside the running kernel's API are listed as
    incompatible and not loaded.
    """

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    distribution: str
    version: str
    kernel_api: str = ">=1,<2"
    description: str = ""
    homepage: str | None = None
