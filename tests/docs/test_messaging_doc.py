"""The code samples of docs/messaging.md run as written (with the mock providers)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "messaging.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


async def _run(code: str, namespace: dict[str, Any]) -> None:
    body = textwrap.indent(code, "    ")
    exec(f"async def _sample():\n{body}\n    return locals()", namespace)
    namespace.update(await namespace["_sample"]())


async def test_the_channels_sample_sends_through_both_channels() -> None:
    namespace: dict[str, Any] = {}
    await _run(_python_blocks()[0], namespace)
    kit = namespace["kit"]
    from roomkit.models.content import TextContent

    await kit.send_event("order-42", TextContent(body="Your order shipped"))
    sms = kit.get_channel("sms").provider
    mail = kit.get_channel("mail").provider
    assert [e["to"] for e in sms.sent] == ["+15551230000"]
    assert mail.sent[0]["subject"] == "Your order"
    await kit.close()


async def test_the_server_sample_mounts_routes() -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from roomkit import RoomKit
    from roomkit.channels import EmailChannel, SMSChannel
    from roomkit.testing import MockEmailProvider, MockSMSProvider

    kit = RoomKit()
    kit.register_channel(SMSChannel("sms", provider=MockSMSProvider(webhook_secret="s" * 10)))
    kit.register_channel(EmailChannel("mail", provider=MockEmailProvider(webhook_secret="m" * 10)))
    sample = next(b for b in _python_blocks() if "WebhookServer" in b)
    namespace: dict[str, Any] = {"kit": kit, "Starlette": Starlette, "Mount": Mount}
    await _run(sample, namespace)
    server = namespace["server"]
    assert [r.path for r in server.routes] == ["/webhooks/sms", "/inbound/mail"]
    assert isinstance(namespace["app"], Starlette)
    await kit.close()


def test_every_python_block_compiles() -> None:
    blocks = _python_blocks()
    assert len(blocks) >= 3
    for block in blocks:
        # top-level await is allowed (PyCF_ALLOW_TOP_LEVEL_AWAIT)
        compile(block, "messaging.md", "exec", flags=0x2000)


@pytest.mark.parametrize("name", ["messaging.md"])
def test_the_page_is_in_the_nav(name: str) -> None:
    nav = (DOC.parents[1] / "mkdocs.yml").read_text(encoding="utf-8")
    assert name in nav


def test_the_serve_config_sample_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from roomkit_server import load_config

    (block,) = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setenv("OPENAI_API_KEY", "key")
    path = tmp_path / "roomkit.toml"
    path.write_text(block, encoding="utf-8")
    config = load_config(path)
    assert [c.id for c in config.channels] == ["sms", "assistant"]
    assert config.channels[0].provider_config["auth_token"] == "token"
    assert config.rooms[0].attach[0].to == "+15551230000"
