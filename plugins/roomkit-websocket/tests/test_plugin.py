"""The plugin registers its source, the kernel builds it by name, and the 0.6.7 import works."""

from __future__ import annotations

import pytest
from roomkit_websocket import WebSocketSource, WebSocketSourceConfig, plugin

from roomkit.errors import ConfigurationError
from roomkit.plugins import Catalogue, create_component


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.load(autoload=False, modules={"websocket": "roomkit_websocket.plugin"})


def test_registers_one_source(catalogue: Catalogue) -> None:
    record = catalogue.plugin("websocket")
    assert record.ok, record.error
    assert [f"{c.kind}:{c.name}" for c in record.components] == ["source:websocket"]
    assert plugin.roomkit_plugin_info().distribution == "roomkit-websocket"


def test_create_by_name_keeps_headers_out_of_repr(catalogue: Catalogue) -> None:
    config = {"url": "wss://x.example/e", "channel_id": "c", "headers": {"Authorization": "s3"}}
    source = create_component("source", "websocket", config, catalogue=catalogue)
    assert isinstance(source, WebSocketSource)
    assert source.name == "websocket:x.example"
    assert "s3" not in repr(WebSocketSourceConfig.model_validate(config))
    with pytest.raises(ConfigurationError, match="url"):
        create_component(
            "source", "websocket", {"url": "http://x", "channel_id": "c"}, catalogue=catalogue
        )


def test_importable_from_roomkit_sources_as_in_0_6_7() -> None:
    from roomkit.sources import WebSocketSource as FromSources

    assert FromSources is WebSocketSource
