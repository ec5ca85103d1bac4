"""The plugin registers its component, and the kernel creates it by name."""

from __future__ import annotations

import pytest
from roomkit_example import ExampleChannel, ExampleConfig

from roomkit.errors import ConfigurationError
from roomkit.plugins import Catalogue, create_component

KIND, NAME = "channel", "example"

#: A configuration the component accepts (as in ``RoomKit.from_config`` or create_component).
EXAMPLE_CONFIG = {"channel_id": "example-1", "max_length": 160}


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.load(autoload=False, modules={NAME: "roomkit_example.plugin"})


def test_plugin_is_healthy(catalogue: Catalogue) -> None:
    record = catalogue.plugin(NAME)
    assert record.ok, record.error
    assert [f"{c.kind}:{c.name}" for c in record.components] == ["channel:example"]


def test_create_by_name(catalogue: Catalogue) -> None:
    component = create_component(KIND, NAME, EXAMPLE_CONFIG, catalogue=catalogue)
    assert isinstance(component, ExampleChannel)
    with pytest.raises(ConfigurationError, match="not_an_option"):
        create_component(KIND, NAME, {"not_an_option": 1}, catalogue=catalogue)


def test_exported_names_resolve(catalogue: Catalogue) -> None:
    assert catalogue.resolve_export("ExampleChannel") is ExampleChannel
    assert catalogue.resolve_export("ExampleConfig") is ExampleConfig
