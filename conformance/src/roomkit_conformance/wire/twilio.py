"""A Twilio wire fake: the Messages resource of the REST API, and webhooks signed as Twilio
signs them.

:class:`TwilioWire` answers what ``api.twilio.com`` answers for messaging:

* ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (form: ``To``, ``From`` or
  ``MessagingServiceSid``, ``Body``, ``MediaUrl`` repeated, ``StatusCallback``,
  ``ContentSid`` ...) -> ``201`` and the Message resource (``sid`` ``SM...``, ``status``
  ``queued``); HTTP Basic authentication with the account SID and auth token;
* ``GET .../Messages/{MessageSid}.json`` -> the stored Message resource;
* errors as Twilio's JSON (``code``, ``message``, ``more_info``, ``status``): 401 / 20003 for
  bad credentials, 400 / 21211 for an invalid ``To``, 21602 without a body, 21603 without a
  sender, 21606 for a ``From`` the account does not own, 21617 over 1,600 characters,
  404 / 20404 for an unknown message; scripted faults (``fail(429, retry_after=7)``) carry
  Twilio's error body too.

:func:`twilio_signature` signs a webhook exactly as Twilio does (HMAC-SHA1, or HMAC-SHA256
with a shared key, of the full URL followed by the sorted form parameters, base64; JSON bodies
are covered by a ``bodySHA256`` query parameter), independently of the twilio SDK, so the
plugin's verification (which uses the SDK's ``RequestValidator``) is checked against a second
implementation. :meth:`TwilioWire.inbound_form` / :meth:`TwilioWire.status_form` build the
form bodies Twilio posts for an incoming message and a status callback, and
:meth:`TwilioWire.post_webhook` delivers one, signed, to a real URL (the webhook server).

Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer
from roomkit_conformance.wire.webhook_post import post_webhook

__all__ = ["TwilioWire", "twilio_error", "twilio_signature"]

_MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages\.json$")
_MESSAGE = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages/(?P<sid>\w+)\.json$")
_ADDRESS = re.compile(r"^(?:(?:whatsapp|rcs|messenger):)?\+[1-9]\d{6,14}$")
_MAX_BODY = 1600

_ERRORS = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service is unavailable. Please try again",
    21211: "Invalid 'To' Phone Number",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21606: "The From phone number is not a valid, SMS-capable inbound phone number or short "
    "code for your account.",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
_STATUS_CODES = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}


def twilio_error(
    status: int, code: int | None = None, message: str | None = None
) -> dict[str, Any]:
    """Twilio's error body for an HTTP ``status`` (and its error ``code``)."""
    code = code if code is not None else _STATUS_CODES.get(status, 20001)
    return {
        "code": code,
        "message": message or _ERRORS.get(code, f"HTTP {status}"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def twilio_signature(
    auth_token: str,
    url: str,
    params: Mapping[str, str | Sequence[str]] | None = None,
    *,
    algorithm: str = "HMAC_SHA1",
) -> str:
    """The ``X-Twilio-Signature`` of a request to ``url`` with form ``params`` (``None`` for a
    JSON body: its hash must then be in ``url`` as ``bodySHA256``)."""
    digest = {"HMAC_SHA1": hashlib.sha1, "HMAC_SHA256": hashlib.sha256}[algorithm.upper()]
    data = url
    for name in sorted(params or {}):
        value = (params or {})[name]
        values = [value] if isinstance(value, str) else list(value)
        for item in sorted(set(values)):
            data += name + item
    mac = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), digest)
    return base64.b64encode(mac.digest()).decode("ascii")


def _sid(prefix: str, counter: int) -> str:
    return prefix + hashlib.sha256(f"{prefix}{counter}".encode()).hexdigest()[:32]


class TwilioWire(WireServer):
    """The Twilio Messages REST API on 127.0.0.1 (see the module docstring).

    ``owned_numbers``: the ``From`` numbers the account owns (any when empty); a send from
    another number is refused with 21606, as Twilio does.
    """

    def __init__(
        self,
        *,
        account_sid: str = "AC" + "0" * 31 + "1",
        auth_token: str = "twilio-test-auth-token",
        owned_numbers: Sequence[str] = (),
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.owned_numbers = frozenset(owned_numbers)
        self._counter = itertools.count(1)
        self._messages: dict[str, dict[str, Any]] = {}
        self._store_lock = threading.Lock()

    # -- REST --------------------------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> WireResponse:
        if not self._authorised(request):
            return WireResponse.json(twilio_error(401), status=401)
        created = _MESSAGES.match(request.path)
        if created and request.method == "POST":
            return self._create(created["account"], request)
        fetched = _MESSAGE.match(request.path)
        if fetched and request.method == "GET":
            with self._store_lock:
                message = self._messages.get(fetched["sid"])
            if message is None or message["account_sid"] != fetched["account"]:
                return WireResponse.json(twilio_error(404), status=404)
            return WireResponse.json(message)
        return WireResponse.json(twilio_error(404), status=404)

    def _authorised(self, request: RecordedRequest) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return hmac.compare_digest(f"{user}:{password}", f"{self.account_sid}:{self.auth_token}")

    def _create(self, account: str, request: RecordedRequest) -> WireResponse:
        if account != self.account_sid:
            return WireResponse.json(twilio_error(401), status=401)
        form = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        field = {name: values[-1] for name, values in form.items()}
        to, body = field.get("To", ""), field.get("Body", "")
        sender, service = field.get("From"), field.get("MessagingServiceSid")
        media = form.get("MediaUrl", [])
        if not to or not _ADDRESS.match(to):
            return WireResponse.json(twilio_error(400, 21211), status=400)
        if not sender and not service:
            return WireResponse.json(twilio_error(400, 21603), status=400)
        if sender and self.owned_numbers and sender.split(":")[-1] not in self.owned_numbers:
            return WireResponse.json(twilio_error(400, 21606), status=400)
        if not body and not media and not field.get("ContentSid"):
            return WireResponse.json(twilio_error(400, 21602), status=400)
        if len(body) > _MAX_BODY:
            return WireResponse.json(twilio_error(400, 21617), status=400)
        sid = _sid("SM" if not media else "MM", next(self._counter))
        now = format_datetime(datetime.now(UTC))
        message = {
            "sid": sid,
            "account_sid": account,
            "messaging_service_sid": service,
            "to": to,
            "from": sender,
            "body": body,
            "num_media": str(len(media)),
            "num_segments": str(max(1, -(-len(body) // 153))),
            "status": "accepted" if service and not sender else "queued",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json",
                "feedback": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Feedback.json",
            },
        }
        with self._store_lock:
            self._messages[sid] = dict(message, status_callback=field.get("StatusCallback"))
        return WireResponse.json(message, status=201)

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A scripted fault answered with Twilio's error JSON (see :class:`WireServer`)."""
        super().fail(
            status,
            times=times,
            body=body if body is not None else twilio_error(status),
            retry_after=retry_after,
            headers=headers,
        )

    def message(self, sid: str) -> dict[str, Any] | None:
        """The stored Message resource ``sid`` (with the ``status_callback`` it was sent with)."""
        with self._store_lock:
            found = self._messages.get(sid)
            return dict(found) if found is not None else None

    def messages(self) -> list[dict[str, Any]]:
        """Every Message resource created so far, oldest first."""
        with self._store_lock:
            return [dict(m) for m in self._messages.values()]

    # -- webhooks ---------------------------------------------------------------------------
    def sign(
        self, url: str, params: Mapping[str, str] | None, *, algorithm: str = "HMAC_SHA1"
    ) -> str:
        """The signature Twilio sends with a request to ``url`` carrying ``params``."""
        return twilio_signature(self.auth_token, url, params, algorithm=algorithm)

    def inbound_form(
        self,
        *,
        sender: str,
        to: str,
        body: str,
        message_sid: str | None = None,
        media: Sequence[tuple[str, str]] = (),
        extra: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """The form Twilio posts for a message from ``sender`` to ``to``; ``media`` holds
        ``(url, content type)`` pairs."""
        sid = message_sid or _sid("SM", next(self._counter))
        form = {
            "ToCountry": "US",
            "SmsMessageSid": sid,
            "NumMedia": str(len(media)),
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": body,
            "To": to,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "ApiVersion": "2010-04-01",
            "FromCountry": "US",
        }
        for index, (url, content_type) in enumerate(media):
            form[f"MediaUrl{index}"] = url
            form[f"MediaContentType{index}"] = content_type
        form.update(extra or {})
        return form

    def status_form(
        self,
        *,
        message_sid: str,
        status: str,
        to: str = "+15550199",
        sender: str = "+15550100",
        error_code: str | None = None,
    ) -> dict[str, str]:
        """The form of Twilio's status callback saying ``status`` for ``message_sid``."""
        form = {
            "SmsSid": message_sid,
            "SmsStatus": status,
            "MessageStatus": status,
            "To": to,
            "MessageSid": message_sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "ApiVersion": "2010-04-01",
        }
        if error_code is not None:
            form["ErrorCode"] = error_code
        return form

    def signed_headers(self, url: str, form: Mapping[str, str]) -> dict[str, str]:
        """The headers of Twilio's form POST of ``form`` to ``url``."""
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": self.sign(url, form),
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": hashlib.sha1(urlencode(form).encode()).hexdigest(),
        }

    async def post_webhook(self, url: str, form: Mapping[str, str], timeout: float = 10.0) -> int:
        """POST ``form`` to ``url`` signed as Twilio does; the HTTP status of the answer."""
        body = urlencode(form).encode("utf-8")
        return await post_webhook(url, body, self.signed_headers(url, form), timeout=timeout)

    async def deliver_status(
        self, sid: str, status: str = "delivered", *, url: str | None = None
    ) -> int:
        """Post the status callback of the sent message ``sid`` to the ``StatusCallback`` it
        was created with (or ``url``); the HTTP status of the answer."""
        message = self.message(sid)
        if message is None:
            raise KeyError(f"no message {sid} was sent through the fake")
        target = url or message.get("status_callback")
        if not target:
            raise ValueError(f"message {sid} was sent without a StatusCallback")
        form = self.status_form(
            message_sid=sid, status=status, to=message["to"], sender=message["from"] or ""
        )
        return await self.post_webhook(target, form)
