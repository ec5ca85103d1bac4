"""The plugin module registers two lazy descriptors whose configs build components."""

from __future__ import annotations

from roomkit_redis import plugin

from roomkit.plugins import ComponentDescriptor, load_ref


def test_registers_lock_manager_and_realtime() -> None:
    found: list[ComponentDescriptor] = []
    plugin.roomkit_register_stores(found.append)
    by_kind = {d.kind: d for d in found}
    assert set(by_kind) == {"lock_manager", "realtime"}
    assert "lease_expiry" in by_kind["lock_manager"].capabilities
    for descriptor in found:
        model = load_ref(descriptor.config_model or "")
        config = model.model_validate({"url": "redis://:pw@cache:6379/1", "prefix": "app:"})
        assert "pw" not in repr(config)
        component = load_ref(descriptor.factory)(config)
        assert component.url == "redis://:pw@cache:6379/1"
        assert component.prefix == "app:"
        module = __import__(descriptor.factory.split(":")[0], fromlist=["x"])
        for name in descriptor.exports:
            assert hasattr(module, name)
    assert plugin.roomkit_plugin_info().distribution == "roomkit-redis"
