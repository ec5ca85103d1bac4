"""The plugin module registers three lazy descriptors whose configs build components."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from roomkit_postgres import plugin

from roomkit.plugins import ComponentDescriptor, load_ref


def _descriptors() -> dict[str, ComponentDescriptor]:
    found: list[ComponentDescriptor] = []
    plugin.roomkit_register_stores(found.append)
    return {d.kind: d for d in found}


def test_registers_store_lock_manager_and_realtime() -> None:
    found = _descriptors()
    assert set(found) == {"store", "lock_manager", "realtime"}
    assert all(d.name == "postgres" for d in found.values())
    assert "cross_process" in found["store"].capabilities
    assert plugin.roomkit_plugin_info().distribution == "roomkit-postgres"


def test_configs_build_components_without_revealing_the_dsn() -> None:
    for kind, descriptor in _descriptors().items():
        model = load_ref(descriptor.config_model or "")
        config = model.model_validate({"dsn": "postgresql://u:secret@db:5432/app"})
        assert "secret" not in repr(config)
        component = load_ref(descriptor.factory)(config)
        assert component.dsn == "postgresql://u:secret@db:5432/app", kind
        module = __import__(descriptor.factory.split(":")[0], fromlist=["x"])
        for name in descriptor.exports:
            assert hasattr(module, name)


def test_store_config_takes_schema_and_checks_it() -> None:
    model = load_ref(_descriptors()["store"].config_model or "")
    store = load_ref(_descriptors()["store"].factory)(model.model_validate({"schema": "tenant_a"}))
    assert store.schema == "tenant_a"
    with pytest.raises(ValidationError):
        model.model_validate({"schema": "Tenant A"})
    with pytest.raises(ValidationError):
        model.model_validate({"min_size": 5, "max_size": 2})
    with pytest.raises(ValidationError):
        model.model_validate({"unknown": 1})
