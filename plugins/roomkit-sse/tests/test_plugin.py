"""The plugin registers its source, the kernel builds it by name, and the 0.6.7 import works."""

from __future__ import annotations

import pytest
from roomkit_sse import SSESource, SSESourceConfig, plugin

from roomkit.errors import ConfigurationError
from roomkit.plugins import Catalogue, create_component


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.load(autoload=False, modules={"sse": "roomkit_sse.plugin"})


def test_registers_one_source(catalogue: Catalogue) -> None:
    record = catalogue.plugin("sse")
    assert record.ok, record.error
    assert [f"{c.kind}:{c.name}" for c in record.components] == ["source:sse"]
    assert plugin.roomkit_plugin_info().distribution == "roomkit-sse"


def test_create_by_name_keeps_headers_out_of_repr(catalogue: Catalogue) -> None:
    config = {"url": "https://x.example/s", "channel_id": "c", "headers": {"Authorization": "s3"}}
    source = create_component("source", "sse", config, catalogue=catalogue)
    assert isinstance(source, SSESource)
    assert source.name == "sse:x.example"
    assert "s3" not in repr(SSESourceConfig.model_validate(config))
    with pytest.raises(ConfigurationError, match="url"):
        create_component(
            "source", "sse", {"url": "ftp://x", "channel_id": "c"}, catalogue=catalogue
        )


def test_importable_from_roomkit_sources_as_in_0_6_7() -> None:
    from roomkit.sources import SSESource as FromSources

    assert FromSources is SSESource
