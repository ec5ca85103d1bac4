"""WebhookRequest helpers and the dedupe keys of webhook items."""

from __future__ import annotations

import pytest

from roomkit.errors import InvalidContentError, WebhookPayloadError
from roomkit.messaging.webhook import WebhookParser, WebhookReply, WebhookRequest, dedupe_key
from roomkit.models.content import TextContent
from roomkit.models.delivery import DeliveryStatusUpdate
from roomkit.models.event import InboundMessage


def _req(body: bytes, content_type: str = "application/json") -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        url="http://x/y",
        headers={"content-type": f"{content_type}; charset=utf-8", "x-thing": "1"},
        body=body,
    )


def test_headers_are_case_insensitive_and_content_type_is_bare() -> None:
    request = _req(b"{}")
    assert request.header("X-Thing") == "1"
    assert request.header("missing") is None
    assert request.content_type == "application/json"


def test_json_and_form() -> None:
    assert _req(b'{"a": [1]}').json_object() == {"a": [1]}
    form = _req(b"From=%2B1555&Body=hi+there&Empty=", "application/x-www-form-urlencoded")
    assert form.form() == {"From": "+1555", "Body": "hi there", "Empty": ""}
    assert _req(b"").form() == {}


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"'])
def test_malformed_json_is_a_payload_error(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError) as info:
        _req(body).json_object()
    assert isinstance(info.value, InvalidContentError)
    assert info.value.status_code == 400


def test_malformed_form_is_a_payload_error() -> None:
    with pytest.raises(WebhookPayloadError):
        _req(b"no-equals-sign", "application/x-www-form-urlencoded").form()
    with pytest.raises(WebhookPayloadError):
        _req(b"\xff=1", "application/x-www-form-urlencoded").form()


def test_dedupe_keys() -> None:
    message = InboundMessage(
        channel_id="c", sender_id="s", content=TextContent(body="x"), external_id="ext-1"
    )
    assert dedupe_key(message) == "message:ext-1"
    keyed = message.model_copy(update={"idempotency_key": "idem"})
    assert dedupe_key(keyed) == "message:idem"
    anonymous = message.model_copy(update={"external_id": None})
    assert dedupe_key(anonymous) is None
    status = DeliveryStatusUpdate(provider="p", message_id="m", status="delivered")
    other = status.model_copy(update={"status": "read"})
    assert dedupe_key(status) != dedupe_key(other)  # a later status is not a retry


def test_parser_defaults() -> None:
    class Parser(WebhookParser):
        def parse(self, request: WebhookRequest, channel_id: str) -> list[InboundMessage]:
            return []

    parser = Parser()
    assert parser.acknowledge(_req(b"{}"), []) == WebhookReply(200, b"", "text/plain")
    assert parser.handshake(_req(b"")) is None
