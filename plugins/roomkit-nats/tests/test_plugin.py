"""The plugin registers its source and the kernel builds it by name."""

from __future__ import annotations

import pytest
from roomkit_nats import NATSSource, NATSSourceConfig, plugin

from roomkit.errors import ConfigurationError
from roomkit.plugins import Catalogue, create_component


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.load(autoload=False, modules={"nats": "roomkit_nats.plugin"})


def test_registers_one_source(catalogue: Catalogue) -> None:
    record = catalogue.plugin("nats")
    assert record.ok, record.error
    assert [f"{c.kind}:{c.name}" for c in record.components] == ["source:nats"]
    assert plugin.roomkit_plugin_info().distribution == "roomkit-nats"


def test_create_by_name_keeps_credentials_out_of_repr(catalogue: Catalogue) -> None:
    config = {
        "servers": "nats://n1:4222",
        "channel_id": "c",
        "subject": "a.b",
        "stream": "S",
        "token": "s3cret",
    }
    source = create_component("source", "nats", config, catalogue=catalogue)
    assert isinstance(source, NATSSource)
    assert (source.name, source.stream, source.durable) == ("nats:a.b", "S", "roomkit")
    assert "s3cret" not in repr(NATSSourceConfig.model_validate(config))
    with pytest.raises(ConfigurationError, match="subject"):
        create_component(
            "source", "nats", {"servers": "nats://x", "channel_id": "c"}, catalogue=catalogue
        )
    assert catalogue.resolve_export("NATSSource") is NATSSource
