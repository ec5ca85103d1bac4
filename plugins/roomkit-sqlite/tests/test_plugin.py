"""The plugin module registers the store with a lazy, valid descriptor."""

from __future__ import annotations

from roomkit_sqlite import plugin

from roomkit.plugins import ComponentDescriptor, load_ref


def test_registers_the_sqlite_store() -> None:
    found: list[ComponentDescriptor] = []
    plugin.roomkit_register_stores(found.append)
    (descriptor,) = found
    assert descriptor.kind == "store"
    assert descriptor.name == "sqlite"
    factory = load_ref(descriptor.factory)
    config = load_ref(descriptor.config_model or "")(path="/tmp/x.db")
    assert factory(**config.model_dump()).path == "/tmp/x.db"
    for name in descriptor.exports:
        assert getattr(__import__(factory.__module__, fromlist=[name]), name) is not None
    assert plugin.roomkit_plugin_info().distribution == "roomkit-sqlite"
