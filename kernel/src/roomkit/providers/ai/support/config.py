"""Provider configuration: the shared time limits and retries, secrets, validation helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from roomkit.deferred import DeferredModel
from roomkit.errors import ConfigurationError

__all__ = [
    "AIProviderSettings",
    "check_http_url",
    "plain_headers",
    "resolve_config",
    "secret_value",
    "secrets_of",
    "timeout_hook",
]

ConfigT = TypeVar("ConfigT", bound=BaseModel)


class AIProviderSettings(DeferredModel):
    """Settings every vendor AI provider shares: time limits, retries and extra headers.

    The defaults suit an interactive conversation, where a person waits for the answer:

    * ``timeout`` (60 s) -- the **deadline of one answer**: every attempt, the pauses between
      retries and, for a stream, the last token. A model that trickles tokens cannot keep a
      stream open past it. Raise it for long generations.
    * ``connect_timeout`` (5 s) -- opening the connection, per attempt.
    * ``read_timeout`` (15 s) -- the longest silence while waiting for the answer of a
      non-streamed request or for the next chunk of a stream, per attempt. A reasoning model
      answering without streaming may need more.
    * ``max_retries`` (1) -- further attempts after a failed connection, a connect timeout,
      HTTP 408/409/425/429 or 5xx, waiting ``retry_backoff`` seconds (doubling each time, or
      the vendor's ``Retry-After``) but never past the deadline. A read timeout is not retried
      (a server that went silent once is likely to again), nor a stream that already yielded.

    A server that accepts the connection and never answers therefore fails after about 15 s
    (one ``read_timeout``), a refused connection after a second or so, an unreachable host
    after about 10.5 s (two ``connect_timeout``).

    ``default_headers`` are sent with every request. They often carry credentials
    (``Authorization``, ``x-api-key``), so their values are secrets: masked in ``repr`` and
    in ``model_dump`` / ``model_dump_json`` output.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(min_length=1)
    timeout: float = Field(default=60.0, gt=0)
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=15.0, gt=0)
    max_retries: int = Field(default=1, ge=0, le=10)
    retry_backoff: float = Field(default=0.5, ge=0)
    default_headers: dict[str, SecretStr] = Field(default_factory=dict)

    @property
    def attempt_timeouts(self) -> tuple[float, float]:
        """``(connect_timeout, read_timeout)``: the limits of one HTTP attempt.

        They are not cut to ``timeout``: the deadline stops any attempt that outlives it, and
        its error then names the setting that ran out.
        """
        return self.connect_timeout, self.read_timeout


def timeout_hook(connect: float, read: float) -> Callable[[Any], Awaitable[None]]:
    """An httpx request hook that gives every request these connect and read limits.

    For SDKs that send one timeout with each request (google-genai, mistralai) but take an
    httpx (or httpx2) client of ours: ``AsyncClient(event_hooks={"request": [hook]})``.
    """
    limits = {"connect": connect, "read": read, "write": read, "pool": connect}

    async def apply(request: Any) -> None:
        request.extensions["timeout"] = dict(limits)

    return apply


def plain_headers(headers: Mapping[str, SecretStr]) -> dict[str, str] | None:
    """Header values in plain text, to hand to an SDK (``None`` when there are none)."""
    return {name: value.get_secret_value() for name, value in headers.items()} or None


def _secret_strings(value: Any) -> Iterator[str]:
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _secret_strings(getattr(value, name))
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _secret_strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _secret_strings(item)


def secrets_of(config: BaseModel) -> list[str]:
    """The plain text of every :class:`SecretStr` in ``config`` (keys, tokens, header values)."""
    return [s for s in _secret_strings(config) if s]


def check_http_url(value: str | None, field: str) -> str | None:
    """``value`` unchanged when ``None`` or an http(s) URL, for use in pydantic validators.

    Raises:
        ValueError: ``value`` does not start with ``http://`` or ``https://`` (pydantic turns
            it into a validation error naming ``field``).
    """
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError(f"{field} must start with http:// or https://, got {value!r}")
    return value


def secret_value(secret: SecretStr | None) -> str | None:
    """The plain text of ``secret`` (to hand to an SDK), or ``None``."""
    return None if secret is None else secret.get_secret_value()


def _article(name: str) -> str:
    return "an" if name[:1].upper() in "AEIOU" else "a"


def resolve_config(
    model: type[ConfigT],
    config: BaseModel | None,
    options: Mapping[str, Any],
    accepted: tuple[type[BaseModel], ...] = (),
) -> ConfigT:
    """A provider's config: the one passed in, or a ``model`` built from keyword options.

    Supports the two ways providers are built: ``Provider(SomeConfig(...))`` and
    ``Provider(api_key=..., model=...)``. ``accepted`` lists the config types taken as-is
    (just ``model`` when empty); each must be ``model`` or a type the caller treats alike.

    Raises:
        ConfigurationError: both were given, the config has the wrong type, or the options
            do not validate.
    """
    if config is not None:
        if options:
            raise ConfigurationError(
                f"pass either {_article(model.__name__)} {model.__name__} or keyword options, "
                f"not both (got {sorted(options)})"
            )
        types = accepted or (model,)
        if not isinstance(config, types):
            names = " or ".join(t.__name__ for t in types)
            raise ConfigurationError(
                f"expected {_article(names)} {names}, got {type(config).__name__}"
            )
        return config  # type: ignore[return-value]  # one of ``accepted``, by contract
    try:
        return model(**options)
    except ValidationError as exc:
        # Described without the input values: a misplaced API key must not end up in logs.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'config'}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)
        )
        raise ConfigurationError(f"invalid {model.__name__}: {problems}") from None
