"""The plugin registers a lazy, valid descriptor; the provider resolves by name and as
``roomkit.OpenTelemetryProvider``."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from roomkit_opentelemetry import OpenTelemetryProvider, plugin

import roomkit
from roomkit.errors import ConfigurationError
from roomkit.plugins import ComponentDescriptor, load_ref
from roomkit.plugins.factory import create_component


def test_registers_the_opentelemetry_provider() -> None:
    found: list[ComponentDescriptor] = []
    plugin.roomkit_register_telemetry(found.append)
    (descriptor,) = found
    assert (descriptor.kind, descriptor.name) == ("telemetry", "opentelemetry")
    assert descriptor.capabilities == frozenset({"records", "traces"})
    assert load_ref(descriptor.factory) is OpenTelemetryProvider
    assert load_ref(descriptor.conformance or "").__name__ == "otel_telemetry"
    assert plugin.roomkit_plugin_info().distribution == "roomkit-opentelemetry"


def test_plugin_module_imports_no_sdk() -> None:
    code = (
        "import sys, roomkit_opentelemetry.plugin; "
        "print(any(m.startswith('opentelemetry') for m in sys.modules))"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_top_level_name_and_0_6_7_call_shape() -> None:
    assert roomkit.OpenTelemetryProvider is OpenTelemetryProvider
    provider = OpenTelemetryProvider()  # the seed README's call: global providers
    assert provider.name == "opentelemetry"
    kit = roomkit.RoomKit(telemetry=roomkit.TelemetryConfig(provider=provider))
    assert kit.telemetry is provider


def test_built_by_name_with_validated_config() -> None:
    provider: Any = create_component(
        "telemetry", "opentelemetry", {"service_name": "rooms", "metadata": {"env": "test"}}
    )
    assert isinstance(provider, OpenTelemetryProvider)
    kit = roomkit.RoomKit(telemetry="opentelemetry", telemetry_config={"span_metrics": False})
    assert isinstance(kit.telemetry, OpenTelemetryProvider)
    assert kit.telemetry.span_metrics is False
    with pytest.raises(ConfigurationError, match="max_open_spans"):
        create_component("telemetry", "opentelemetry", {"max_open_spans": 0})
    cheap: Any = create_component(
        "telemetry", "opentelemetry", {"step_metrics": "counts", "detail": "compact"}
    )
    assert (cheap.step_metrics, cheap.detail) == ("counts", "compact")
    with pytest.raises(ConfigurationError, match="step_metrics"):
        create_component("telemetry", "opentelemetry", {"step_metrics": "some"})
    with pytest.raises(ConfigurationError, match="tracer_provider"):
        create_component("telemetry", "opentelemetry", {"tracer_provider": "x"})


def test_bad_arguments_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="service_name"):
        OpenTelemetryProvider(service_name="")
    with pytest.raises(ConfigurationError, match="max_open_spans"):
        OpenTelemetryProvider(max_open_spans=0)
