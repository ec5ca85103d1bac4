"""The plugin registers its channel, and the kernel can create it by name."""

from __future__ import annotations

import pytest
from roomkit_reverse import ReverseChannel

from roomkit.errors import ConfigurationError
from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.factory import create_component


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.load(autoload=False, modules={"reverse": "roomkit_reverse.plugin"})


def test_plugin_is_healthy(catalogue: Catalogue) -> None:
    record = catalogue.plugin("reverse")
    assert record.ok, record.error
    assert [f"{c.kind}:{c.name}" for c in record.components] == ["channel:reverse"]


def test_create_by_name(catalogue: Catalogue) -> None:
    channel = create_component(
        "channel", "reverse", {"channel_id": "rev", "max_length": 10}, catalogue=catalogue
    )
    assert isinstance(channel, ReverseChannel)
    assert channel.capabilities().max_length == 10
    with pytest.raises(ConfigurationError, match="channel_id"):
        create_component("channel", "reverse", {}, catalogue=catalogue)


def test_exported_name_resolves(catalogue: Catalogue) -> None:
    assert catalogue.resolve_export("ReverseChannel") is ReverseChannel
