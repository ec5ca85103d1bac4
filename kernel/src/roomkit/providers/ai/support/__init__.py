"""Building blocks for AI provider plugins.

Every vendor plugin (OpenAI, Anthropic, Mistral, Gemini, ...) has to turn SDK failures into
:class:`~roomkit.errors.ProviderError` with the right ``retryable`` flag and no secrets in
the text, keep one answer within its deadline, retry what is worth retrying, decode tool-call
arguments, refuse a stream that stops before the model finished and validate its config.
This package holds the vendor-neutral part of that work; the vendor-specific part (which SDK
exception means what, the wire format) stays in the plugin.

* :mod:`~roomkit.providers.ai.support.vendor` -- :class:`VendorAIProvider`, the common body
  of SDK-based providers, and :class:`StreamReader`.
* :mod:`~roomkit.providers.ai.support.chat_completions` -- the Chat Completions format
  (OpenAI, Mistral, vLLM and other OpenAI-compatible servers).
* :mod:`~roomkit.providers.ai.support.config` -- :class:`AIProviderSettings` (time limits,
  retries, secret headers) and config helpers.
* :mod:`~roomkit.providers.ai.support.calls` -- the overall deadline and the retry policy.
* :mod:`~roomkit.providers.ai.support.errors` -- error constructors and :class:`Redactor`.
* :mod:`~roomkit.providers.ai.support.tools` / :mod:`~roomkit.providers.ai.support.requests`
  -- tool calls, usage, history normalisation, turns, sampling and images.

Nothing here imports a vendor SDK, and ``import roomkit`` does not import this package.
"""

from roomkit.providers.ai.support.calls import AnswerDeadline, RetryPolicy, is_worth_retrying
from roomkit.providers.ai.support.chat_completions import (
    ChatCompletionsFormat,
    ChatStreamReader,
    finish_reason_text,
    parse_chat_completion,
    parse_chat_usage,
    text_and_thinking,
)
from roomkit.providers.ai.support.config import (
    AIProviderSettings,
    check_http_url,
    plain_headers,
    resolve_config,
    secret_value,
    secrets_of,
    timeout_hook,
)
from roomkit.providers.ai.support.errors import (
    CONNECT_TIMEOUT_NAMES,
    CONNECTION_ERROR_NAMES,
    TIMEOUT_ERROR_NAMES,
    Redactor,
    attempt_timeout_error,
    connection_error,
    deadline_error,
    ensure_finished,
    exception_names,
    is_retryable_status,
    retry_after_seconds,
    sdk_error,
    shorten,
    status_error,
    timeout_error,
    translate_errors,
    transport_error,
)
from roomkit.providers.ai.support.requests import (
    append_turn,
    canonical_messages,
    effective_sampling,
    parse_data_uri,
    require_image_url,
    thinking_parts,
)
from roomkit.providers.ai.support.tools import (
    ToolCallAssembler,
    function_tool_calls,
    function_tools,
    parse_tool_arguments,
    read_usage,
    require_json_object,
)
from roomkit.providers.ai.support.vendor import StreamReader, VendorAIProvider, close_stream

__all__ = [
    "CONNECTION_ERROR_NAMES",
    "CONNECT_TIMEOUT_NAMES",
    "TIMEOUT_ERROR_NAMES",
    "AIProviderSettings",
    "AnswerDeadline",
    "ChatCompletionsFormat",
    "ChatStreamReader",
    "Redactor",
    "RetryPolicy",
    "StreamReader",
    "ToolCallAssembler",
    "VendorAIProvider",
    "append_turn",
    "attempt_timeout_error",
    "canonical_messages",
    "check_http_url",
    "close_stream",
    "connection_error",
    "deadline_error",
    "effective_sampling",
    "ensure_finished",
    "exception_names",
    "finish_reason_text",
    "function_tool_calls",
    "function_tools",
    "is_retryable_status",
    "is_worth_retrying",
    "parse_chat_completion",
    "parse_chat_usage",
    "parse_data_uri",
    "parse_tool_arguments",
    "plain_headers",
    "read_usage",
    "require_image_url",
    "require_json_object",
    "resolve_config",
    "retry_after_seconds",
    "sdk_error",
    "secret_value",
    "secrets_of",
    "shorten",
    "status_error",
    "text_and_thinking",
    "thinking_parts",
    "timeout_error",
    "timeout_hook",
    "translate_errors",
    "transport_error",
]
