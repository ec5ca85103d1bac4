"""Packaging checks shared by every messaging-provider plugin distribution.

Set :attr:`MessagingPluginSuite.plugin` (the ``roomkit_<name>.plugin`` module),
:attr:`~MessagingPluginSuite.heavy_modules` (what importing the package must not import: the
HTTP client, the vendor SDK) and :attr:`~MessagingPluginSuite.config_examples` (valid
configurations holding secrets, by component name)::

    class TestPackaging(MessagingPluginSuite):
        plugin = roomkit_sinch.plugin
        heavy_modules = ("httpx",)
        config_examples = {"sinch": {"service_plan_id": "p", "api_token": "tok-123456789",
                                     "from_number": "+15550001111"}}

Checked: the descriptors resolve (factory, config model, conformance factory, every name in
``exports``), importing the package and its plugin module stays light, and no secret of a
configuration shows in its ``repr``, ``str``, ``model_dump_json`` or validation errors.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from types import ModuleType
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from roomkit.plugins import ComponentDescriptor, load_ref

__all__ = ["MESSAGING_KINDS", "MessagingPluginSuite"]

MESSAGING_KINDS = frozenset(
    {"sms_provider", "rcs_provider", "email_provider", "messaging_provider"}
)


def _secrets(model: BaseModel) -> list[str]:
    found = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        values = (
            value
            if isinstance(value, list)
            else list(value.values())
            if isinstance(value, dict)
            else [value]
        )
        found += [v.get_secret_value() for v in values if isinstance(v, SecretStr)]
    return [s for s in found if s]


class MessagingPluginSuite:
    """Packaging checks every messaging-provider plugin passes (see the module docstring)."""

    plugin: ClassVar[ModuleType]
    heavy_modules: ClassVar[tuple[str, ...]] = ()
    config_examples: ClassVar[dict[str, dict[str, Any]]] = {}

    def _descriptors(self) -> list[ComponentDescriptor]:
        found: list[ComponentDescriptor] = []
        self.plugin.roomkit_register_messaging_providers(found.append)
        assert found, "the plugin registers no messaging provider"
        return found

    def test_descriptors_resolve(self) -> None:
        info = self.plugin.roomkit_plugin_info()
        package = self.plugin.__name__.rsplit(".", 1)[0]
        assert info.distribution == package.replace("_", "-")
        for descriptor in self._descriptors():
            assert descriptor.kind in MESSAGING_KINDS
            factory = load_ref(descriptor.factory)
            assert callable(factory)
            modules = [importlib.import_module(descriptor.factory.partition(":")[0])]
            if descriptor.config_model:
                assert issubclass(load_ref(descriptor.config_model), BaseModel)
                modules.append(importlib.import_module(descriptor.config_model.partition(":")[0]))
            for name in descriptor.exports:
                assert any(hasattr(m, name) for m in modules), f"{name} is not exported"
                assert hasattr(importlib.import_module(package), name), f"{package}.{name}"
            assert descriptor.conformance, f"{descriptor.name} has no conformance factory"
            assert callable(load_ref(descriptor.conformance))

    def test_importing_the_package_stays_light(self) -> None:
        package = self.plugin.__name__.rsplit(".", 1)[0]
        heavy = list(self.heavy_modules)
        code = (
            f"import sys, {package}, {package}.plugin;"
            f"sys.exit(1 if [m for m in {heavy!r} if m in sys.modules] else 0)"
        )
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

    def test_configs_never_show_their_secrets(self) -> None:
        assert self.config_examples, "give config_examples with secrets to check"
        by_name = {d.name: d for d in self._descriptors()}
        for name, values in self.config_examples.items():
            model_cls = load_ref(by_name[name].config_model or "")
            config = model_cls(**values)
            secrets = _secrets(config)
            assert secrets, f"the {name} example holds no SecretStr value"
            shown = " ".join([repr(config), str(config), config.model_dump_json()])
            for secret in secrets:
                assert secret not in shown, f"a secret of {name} shows in its config"
            with pytest.raises(ValidationError) as refused:
                model_cls(**{**values, "timeout": "not-a-number"})
            assert all(secret not in str(refused.value) for secret in secrets)
