"""Building blocks for AI provider plugins: errors, tool arguments, usage and config.

Every vendor plugin (OpenAI, Anthropic, Mistral, Gemini, ...) has to turn SDK failures into
:class:`~roomkit.errors.ProviderError` with the right ``retryable`` flag, decode the JSON
arguments of tool calls, refuse a stream that stops before the model finished and validate
its config. The helpers here are the vendor-neutral part of that work; the vendor-specific
part (which SDK exception means what, the wire format) stays in the plugin.

This module imports no vendor SDK, and ``import roomkit`` does not import it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, SecretStr, ValidationError

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.ai import AIContext, AIToolCall, AIUsage
from roomkit.models.room import AITool

__all__ = [
    "CONNECTION_ERROR_NAMES",
    "TIMEOUT_ERROR_NAMES",
    "append_turn",
    "check_http_url",
    "connection_error",
    "effective_sampling",
    "ensure_finished",
    "exception_names",
    "function_tool_calls",
    "function_tools",
    "is_retryable_status",
    "parse_tool_arguments",
    "read_usage",
    "require_json_object",
    "resolve_config",
    "secret_value",
    "shorten",
    "status_error",
    "timeout_error",
    "translate_errors",
    "transport_error",
]

#: HTTP statuses below 500 worth retrying: request timeout, conflict, too early, rate limit.
_RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})

#: Exception class names (anywhere in the MRO) that mean "the request timed out" in the HTTP
#: stacks vendor SDKs use (httpx).
TIMEOUT_ERROR_NAMES = frozenset({"TimeoutException"})

#: Exception class names that mean "the connection broke" (httpx and the standard library).
CONNECTION_ERROR_NAMES = frozenset({"TransportError", "RemoteProtocolError", "ConnectionError"})

ConfigT = TypeVar("ConfigT", bound=BaseModel)


# -- errors ---------------------------------------------------------------------------------------


def is_retryable_status(status: int) -> bool:
    """Whether a request that got HTTP ``status`` may succeed later.

    True for 408, 409, 425, 429 and every 5xx (including Anthropic's 529 "overloaded").
    """
    return status in _RETRYABLE_STATUSES or status >= 500


def shorten(text: str, limit: int = 300) -> str:
    """``text`` with whitespace runs collapsed, cut to ``limit`` characters (``...`` marks a cut).

    Vendor error bodies can be long; error messages carry at most this much of them.
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def exception_names(exc: BaseException) -> set[str]:
    """Names of every class in the MRO of ``exc``.

    Lets a plugin recognise exceptions of an HTTP stack (``httpx.TimeoutException``,
    ``aiohttp.ClientError``, ...) without importing it.
    """
    return {cls.__name__ for cls in type(exc).__mro__}


def status_error(provider: str, status: int, detail: str) -> ProviderError:
    """The :class:`ProviderError` for an HTTP error response.

    ``retryable`` follows :func:`is_retryable_status`; ``detail`` (the vendor's message) is
    shortened with :func:`shorten`.
    """
    return ProviderError(
        f"{provider}: HTTP {status}: {shorten(detail)}",
        provider=provider,
        retryable=is_retryable_status(status),
        status_code=status,
    )


def timeout_error(provider: str, timeout: float) -> ProviderError:
    """A retryable :class:`ProviderError` for a request that took longer than ``timeout`` s."""
    return ProviderError(
        f"{provider}: request timed out after {timeout:g}s", provider=provider, retryable=True
    )


def connection_error(provider: str, detail: str, *, phase: str = "lost") -> ProviderError:
    """A retryable :class:`ProviderError` for a connection that ``failed`` or was ``lost``."""
    return ProviderError(
        f"{provider}: connection {phase}: {shorten(detail)}", provider=provider, retryable=True
    )


def transport_error(
    exc: Exception,
    *,
    provider: str,
    timeout: float,
    timeout_names: frozenset[str] = TIMEOUT_ERROR_NAMES,
    connection_names: frozenset[str] = CONNECTION_ERROR_NAMES,
) -> ProviderError:
    """The :class:`ProviderError` for an exception the vendor SDK did not wrap.

    Call it after handling the SDK's own exception types. In order: a timeout (a class named
    in ``timeout_names``, or :class:`TimeoutError`) and a broken connection (a class named in
    ``connection_names``) are retryable; anything else is not retryable and is described by
    its type and message. A :class:`ProviderError` is returned unchanged.
    """
    if isinstance(exc, ProviderError):
        return exc
    names = exception_names(exc)
    if names & timeout_names or isinstance(exc, TimeoutError):
        return timeout_error(provider, timeout)
    if names & connection_names:
        return connection_error(provider, str(exc))
    return ProviderError(
        f"{provider}: {type(exc).__name__}: {shorten(str(exc))}", provider=provider
    )


@contextmanager
def translate_errors(convert: Callable[[Exception], ProviderError]) -> Iterator[None]:
    """Re-raise any exception of the block as ``convert(exc)``, chained to the original.

    A :class:`ProviderError` passes through untouched, and so do cancellation and other
    :class:`BaseException` that are not :class:`Exception`. Works around ``yield`` in async
    generators too::

        with translate_errors(self._error):
            response = await self._client.create(**request)
    """
    try:
        yield
    except ProviderError:
        raise
    except Exception as exc:
        raise convert(exc) from exc


def ensure_finished(provider: str, finish_reason: str | None) -> str:
    """``finish_reason``, or a retryable :class:`ProviderError` when the stream had none.

    A stream that ends without a finish (stop) reason was cut off; passing the partial answer
    off as complete would hide the failure.
    """
    if finish_reason is None:
        raise ProviderError(
            f"{provider}: the stream ended before the model finished",
            provider=provider,
            retryable=True,
        )
    return finish_reason


# -- tool calls and usage -------------------------------------------------------------------------


def require_json_object(value: Any, *, tool: str, provider: str) -> dict[str, Any]:
    """``value`` if it is a dict (decoded JSON object), else a retryable :class:`ProviderError`."""
    if isinstance(value, dict):
        return value
    raise ProviderError(
        f"{provider}: arguments of tool {tool!r} must be a JSON object, got {type(value).__name__}",
        provider=provider,
        retryable=True,
    )


def parse_tool_arguments(raw: Any, *, tool: str, provider: str) -> dict[str, Any]:
    """The arguments of a tool call as a dict.

    ``raw`` is what the model sent: a JSON string (possibly assembled from stream fragments)
    or an already decoded object. ``None`` and blank strings mean no arguments (``{}``).

    Raises:
        ProviderError: (retryable - the model may do better next time) ``raw`` is not valid
            JSON or does not hold a JSON object.
    """
    if isinstance(raw, dict):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise ProviderError(
            f"{provider}: the model sent invalid JSON arguments for tool {tool!r}",
            provider=provider,
            retryable=True,
        ) from exc
    return require_json_object(value, tool=tool, provider=provider)


def read_usage(usage: Any, input_field: str, output_field: str) -> AIUsage | None:
    """An :class:`AIUsage` from a vendor usage object, or ``None`` when there is none.

    ``input_field`` / ``output_field`` name the object's token counters (e.g.
    ``"prompt_tokens"`` / ``"completion_tokens"``); missing or null counters count as 0.
    """
    if usage is None:
        return None
    return AIUsage(
        input_tokens=getattr(usage, input_field, 0) or 0,
        output_tokens=getattr(usage, output_field, 0) or 0,
    )


# -- requests -------------------------------------------------------------------------------------


def append_turn(
    turns: list[dict[str, Any]], role: str, items: list[dict[str, Any]], *, key: str
) -> None:
    """Add a turn of ``role`` holding ``items`` (under ``key``), merging into the last turn.

    For APIs whose turns must alternate between roles (Anthropic ``content`` blocks, Gemini
    ``parts``): items of consecutive turns of one role end up in a single turn. Nothing is
    added when ``items`` is empty.
    """
    if not items:
        return
    if turns and turns[-1]["role"] == role:
        turns[-1][key].extend(items)
    else:
        turns.append({"role": role, key: items})


def effective_sampling(
    context: AIContext, temperature: float | None, max_tokens: int | None
) -> tuple[float | None, int | None]:
    """``(temperature, max_tokens)`` for a request: the context's, else the provider's defaults.

    ``None`` means "leave it out of the request" (the vendor's own default applies).
    """
    temp = context.temperature if context.temperature is not None else temperature
    return temp, context.max_tokens or max_tokens


def function_tools(tools: Iterable[AITool]) -> list[dict[str, Any]]:
    """``tools`` in the Chat Completions ``{"type": "function", ...}`` shape.

    The shape OpenAI, Mistral and the OpenAI-compatible servers (vLLM, ...) take.
    """
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters,
            },
        }
        for tool in tools
    ]


def function_tool_calls(calls: Iterable[AIToolCall]) -> list[dict[str, Any]]:
    """An assistant message's ``tool_calls`` in the Chat Completions shape.

    Arguments are sent as a JSON string, as that format requires.
    """
    return [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
        }
        for call in calls
    ]


# -- configuration --------------------------------------------------------------------------------


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
        raise ConfigurationError(f"invalid {model.__name__}: {exc}") from exc
