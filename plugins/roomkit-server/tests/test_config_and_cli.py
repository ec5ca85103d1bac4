"""The ``roomkit serve`` config file and command, including a real server in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from roomkit_server import load_config
from roomkit_server.build import build_server, prepare_rooms
from roomkit_server.testing import free_port

from roomkit.cli.main import main
from roomkit.core.webhooks import process_webhook_item
from roomkit.errors import ConfigurationError, PluginError
from roomkit.plugins.catalogue import Catalogue, reset_catalogue
from roomkit.testing import MockSMSProvider

SECRET = "cli-test-secret-1"

CONFIG = """
[server]
port = {port}
queue_size = 50
workers = 2

[kit]
max_chain_depth = 3

[plugins]
require = ["builtin"]

[[channels]]
id = "sms"
kind = "sms"
provider = "mock"
path = "/hooks/sms"
options = {{ from_number = "+15550009999" }}
provider_config = {{ webhook_secret = {{ env = "ROOMKIT_TEST_SMS_SECRET" }} }}

[[channels]]
id = "mail"
kind = "email"
provider = "mock"
options = {{ from_address = "help@shop.example" }}

[[channels]]
id = "assistant"
kind = "ai"
provider = "mock"
options = {{ system_prompt = "Be brief." }}
provider_config = {{ responses = ["Thanks, we are on it."] }}

[[rooms]]
id = "support"
[[rooms.attach]]
channel = "sms"
to = "+15551230000"
[[rooms.attach]]
channel = "assistant"
"""


def _write(tmp_path: Path, text: str, name: str = "roomkit.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ROOMKIT_TEST_SMS_SECRET", SECRET)
    return _write(tmp_path, CONFIG.format(port=free_port()))


def test_load_reads_secrets_from_the_environment(config_path: Path) -> None:
    config = load_config(config_path)
    assert config.channels[0].provider_config == {"webhook_secret": SECRET}
    assert config.server.queue_size == 50
    assert config.rooms[0].attach[0].to == "+15551230000"


def test_json_works_too(tmp_path: Path) -> None:
    data = {"channels": [{"id": "s", "kind": "sms", "provider": "mock"}]}
    assert load_config(_write(tmp_path, json.dumps(data), "c.json")).channels[0].id == "s"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[channels]]\nid='s'\nkind='sms'\nprovider='mock'\nx={env='NOPE_NOT_SET'}", "NOPE_NOT"),
        ("[[channels]]\nid='s'\nkind='fax'\nprovider='mock'", "kind"),
        ("[[channels]]\nid='s'\nkind='sms'\nprovider='mock'\nbogus=1", "bogus"),
        ("[server]\nport=1", "channels"),
        ("[[channels]]\nid='s'\nkind='sms'\nprovider='mock'\n[[rooms]]\nid='r'\n"
         "[[rooms.attach]]\nchannel='nope'", "unknown channel 'nope'"),
        ("[[channels]]\nid='s'\nkind='sms'\nprovider='mock'\n[[channels]]\nid='s'\n"
         "kind='sms'\nprovider='mock'", "unique"),
        ("not = [valid", "not valid TOML"),
        ("[server]\npublic_url='ftp://x'\n[[channels]]\nid='s'\nkind='sms'\nprovider='m'", "http"),
    ],
)  # fmt: skip
def test_bad_configs_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_config(_write(tmp_path, text))


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigurationError, match=r"\.toml or \.json"):
        load_config(_write(tmp_path, "x", "c.yaml"))
    with pytest.raises(ConfigurationError, match="at the top"):
        load_config(_write(tmp_path, "[1, 2]", "c.json"))


def test_secret_values_never_appear_in_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROOMKIT_TEST_TOKEN", "super-secret-value")
    text = (
        "[server]\nport={env='ROOMKIT_TEST_TOKEN'}\n"
        "[[channels]]\nid='s'\nkind='sms'\nprovider='mock'"
    )
    with pytest.raises(ConfigurationError) as info:
        load_config(_write(tmp_path, text))
    assert "super-secret-value" not in str(info.value)
    assert "port" in str(info.value)


async def test_build_server_and_rooms(config_path: Path) -> None:
    server = build_server(load_config(config_path))
    assert [r.path for r in server.routes] == ["/hooks/sms"]  # the email mock has no secret
    kit = server.kit
    assert kit.max_chain_depth == 3
    config = load_config(config_path)
    await prepare_rooms(kit, config)
    await prepare_rooms(kit, config)  # idempotent: a restart keeps existing rooms
    bindings = {b.channel_id: b for b in await kit.list_bindings("support")}
    assert set(bindings) == {"sms", "assistant"}
    assert bindings["sms"].metadata == {"to": "+15551230000"}
    assert str(bindings["assistant"].category) == "intelligence"
    sms = kit.get_channel("sms").provider
    assert isinstance(sms, MockSMSProvider)
    endpoint = sms.webhook_endpoints()[""]
    request = sms.inbound_request(sender="+15551230000", text="my order is late")
    (message,) = endpoint.parser.parse(request, "sms")
    result = await process_webhook_item(kit, "sms", message)
    assert result.room_id == "support"  # the configured recipient writes into its room
    assert [e["event"].content.body for e in sms.sent] == ["Thanks, we are on it."]
    assert sms.sent[0]["to"] == "+15551230000"
    assert sms.sent[0]["from"] == "+15550009999"
    await kit.close()


def test_unknown_provider_and_missing_plugin(tmp_path: Path) -> None:
    text = "[[channels]]\nid='s'\nkind='sms'\nprovider='twilio'"
    reset_catalogue(Catalogue([]))  # as if roomkit-twilio were not installed
    try:
        with pytest.raises(PluginError, match="roomkit-twilio"):
            build_server(load_config(_write(tmp_path, text)))
    finally:
        reset_catalogue()
    text = "[plugins]\nrequire=['nope']\n[[channels]]\nid='s'\nkind='sms'\nprovider='mock'"
    with pytest.raises(ConfigurationError, match="'nope' is not installed"):
        build_server(load_config(_write(tmp_path, text)))
    text = "[[channels]]\nid='s'\nkind='sms'\nprovider='mock'\noptions={colour='red'}"
    with pytest.raises(ConfigurationError, match="bad options"):
        build_server(load_config(_write(tmp_path, text)))


def test_roomkit_serve_check(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(config_path), "--check"]) == 0
    out = capsys.readouterr().out
    assert "configuration OK: 3 channels, 1 rooms" in out
    assert "POST /hooks/sms  -> channel sms" in out
    assert SECRET not in out


def test_roomkit_serve_reports_config_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(tmp_path / "nope.toml")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_roomkit_serve_runs_receives_and_stops_cleanly(config_path: Path) -> None:
    """The real command in a subprocess: health, a signed SMS answered by the AI, SIGTERM."""
    port = load_config(config_path).server.port
    env = {**os.environ, "ROOMKIT_TEST_SMS_SECRET": SECRET}
    process = subprocess.Popen(
        [sys.executable, "-m", "roomkit.cli.main", "serve", str(config_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(base + "/healthz", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "roomkit serve did not start"
            time.sleep(0.1)
        sms = MockSMSProvider(webhook_secret=SECRET)
        request = sms.inbound_request(sender="+15551230000", text="my order is late")
        response = httpx.post(
            base + "/hooks/sms", content=request.body, headers=dict(request.headers), timeout=10
        )
        assert response.status_code == 200
        forged = httpx.post(base + "/hooks/sms", content=request.body, timeout=10)
        assert forged.status_code == 403
        deadline = time.monotonic() + 30
        while httpx.get(base + "/healthz", timeout=2).json()["processed"] < 1:
            assert time.monotonic() < deadline, "the webhook was never processed"
            time.sleep(0.05)
        assert httpx.get(base + "/healthz", timeout=2).json()["failed"] == 0
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    # uvicorn re-raises the signal once its graceful shutdown is done (exit by SIGTERM).
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert SECRET not in output
    assert "my order is late" not in output


def test_the_plugin_shows_in_the_catalogue() -> None:
    from roomkit.plugins.catalogue import Catalogue

    record = Catalogue.load().plugin("server")
    assert record.ok, record.error
    assert record.distribution == "roomkit-server"
    assert record.components == ()
