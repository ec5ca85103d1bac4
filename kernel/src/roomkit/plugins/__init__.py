"""The plugin system and the plugin-author SDK, from one place.

A plugin imports what it needs from here: the hook markers and descriptors for its
``plugin.py`` (``hookimpl``, ``ComponentDescriptor``, ``PluginInfo``, ``Register``), and the
kernel helpers its components reuse: the AI-provider support helpers (error translation, tool
arguments, usage, config), :class:`SharedRoomLockManager` for distributed lock managers,
:class:`Fanout` for realtime backends, :func:`lazy_exports` for a light package ``__init__``.

Every name is imported on first use (the table below), so importing this package, which every
plugin module does, costs nothing; discovery lives in :mod:`roomkit.plugins.manager`, the
catalogue in :mod:`roomkit.plugins.catalogue`, create-by-name in :mod:`roomkit.plugins.factory`
and the component kinds in :mod:`roomkit.plugins.kinds`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports

_AI_SUPPORT = "roomkit.providers.ai.support"

_EXPORTS: dict[str, str] = {
    # the plugin API
    "COMPONENT_KINDS": "roomkit.plugins.kinds",
    "ComponentDescriptor": "roomkit.plugins.descriptors",
    "ENTRY_POINT_GROUP": "roomkit.plugins.api",
    "KINDS": "roomkit.plugins.kinds",
    "PLUGIN_API_VERSION": "roomkit.plugins.api",
    "PluginInfo": "roomkit.plugins.descriptors",
    "Register": "roomkit.plugins.hookspecs",
    "hookimpl": "roomkit.plugins.markers",
    "hookspec": "roomkit.plugins.markers",
    "load_ref": "roomkit.plugins.descriptors",
    # the catalogue and plugin-provided names
    "Catalogue": "roomkit.plugins.catalogue",
    "MissingPluginAttributeError": "roomkit.plugins.missing",
    "MissingPluginImportError": "roomkit.plugins.missing",
    "PluginNotInstalledError": "roomkit.plugins.missing",
    "create_component": "roomkit.plugins.factory",
    "get_catalogue": "roomkit.plugins.catalogue",
    "resolve_export": "roomkit.plugins.catalogue",
    # kernel helpers for plugin components
    "Fanout": "roomkit.realtime.fanout",
    "SharedRoomLockManager": "roomkit.core.locks",
    "lazy_exports": "roomkit.lazy",
    # AI-provider support (roomkit.providers.ai.support)
    "CONNECTION_ERROR_NAMES": _AI_SUPPORT,
    "CONNECT_TIMEOUT_NAMES": _AI_SUPPORT,
    "TIMEOUT_ERROR_NAMES": _AI_SUPPORT,
    "AIProviderSettings": _AI_SUPPORT,
    "AnswerDeadline": _AI_SUPPORT,
    "ChatCompletionsFormat": _AI_SUPPORT,
    "ChatStreamReader": _AI_SUPPORT,
    "Redactor": _AI_SUPPORT,
    "RetryPolicy": _AI_SUPPORT,
    "StreamReader": _AI_SUPPORT,
    "ToolCallAssembler": _AI_SUPPORT,
    "VendorAIProvider": _AI_SUPPORT,
    "append_turn": _AI_SUPPORT,
    "attempt_timeout_error": _AI_SUPPORT,
    "canonical_messages": _AI_SUPPORT,
    "check_http_url": _AI_SUPPORT,
    "close_stream": _AI_SUPPORT,
    "connection_error": _AI_SUPPORT,
    "deadline_error": _AI_SUPPORT,
    "effective_sampling": _AI_SUPPORT,
    "ensure_finished": _AI_SUPPORT,
    "exception_names": _AI_SUPPORT,
    "finish_reason_text": _AI_SUPPORT,
    "function_tool_calls": _AI_SUPPORT,
    "function_tools": _AI_SUPPORT,
    "is_retryable_status": _AI_SUPPORT,
    "is_worth_retrying": _AI_SUPPORT,
    "parse_chat_completion": _AI_SUPPORT,
    "parse_chat_usage": _AI_SUPPORT,
    "parse_data_uri": _AI_SUPPORT,
    "parse_tool_arguments": _AI_SUPPORT,
    "plain_headers": _AI_SUPPORT,
    "read_usage": _AI_SUPPORT,
    "require_image_url": _AI_SUPPORT,
    "require_json_object": _AI_SUPPORT,
    "resolve_config": _AI_SUPPORT,
    "retry_after_seconds": _AI_SUPPORT,
    "sdk_error": _AI_SUPPORT,
    "secret_value": _AI_SUPPORT,
    "secrets_of": _AI_SUPPORT,
    "shorten": _AI_SUPPORT,
    "status_error": _AI_SUPPORT,
    "text_and_thinking": _AI_SUPPORT,
    "thinking_parts": _AI_SUPPORT,
    "timeout_error": _AI_SUPPORT,
    "timeout_hook": _AI_SUPPORT,
    "translate_errors": _AI_SUPPORT,
    "transport_error": _AI_SUPPORT,
}

__all__ = [
    "COMPONENT_KINDS",
    "CONNECTION_ERROR_NAMES",
    "CONNECT_TIMEOUT_NAMES",
    "ENTRY_POINT_GROUP",
    "KINDS",
    "PLUGIN_API_VERSION",
    "TIMEOUT_ERROR_NAMES",
    "AIProviderSettings",
    "AnswerDeadline",
    "Catalogue",
    "ChatCompletionsFormat",
    "ChatStreamReader",
    "ComponentDescriptor",
    "Fanout",
    "MissingPluginAttributeError",
    "MissingPluginImportError",
    "PluginInfo",
    "PluginNotInstalledError",
    "Redactor",
    "Register",
    "RetryPolicy",
    "SharedRoomLockManager",
    "StreamReader",
    "ToolCallAssembler",
    "VendorAIProvider",
    "append_turn",
    "attempt_timeout_error",
    "canonical_messages",
    "check_http_url",
    "close_stream",
    "connection_error",
    "create_component",
    "deadline_error",
    "effective_sampling",
    "ensure_finished",
    "exception_names",
    "finish_reason_text",
    "function_tool_calls",
    "function_tools",
    "get_catalogue",
    "hookimpl",
    "hookspec",
    "is_retryable_status",
    "is_worth_retrying",
    "lazy_exports",
    "load_ref",
    "parse_chat_completion",
    "parse_chat_usage",
    "parse_data_uri",
    "parse_tool_arguments",
    "plain_headers",
    "read_usage",
    "require_image_url",
    "require_json_object",
    "resolve_config",
    "resolve_export",
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

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:  # explicit re-exports (``X``) so type checkers see every name
    from roomkit.core.locks import SharedRoomLockManager
    from roomkit.plugins.api import (
        ENTRY_POINT_GROUP,
        PLUGIN_API_VERSION,
    )
    from roomkit.plugins.catalogue import (
        Catalogue,
        get_catalogue,
        resolve_export,
    )
    from roomkit.plugins.descriptors import (
        ComponentDescriptor,
        PluginInfo,
        load_ref,
    )
    from roomkit.plugins.factory import create_component
    from roomkit.plugins.hookspecs import Register
    from roomkit.plugins.kinds import (
        COMPONENT_KINDS,
        KINDS,
    )
    from roomkit.plugins.markers import (
        hookimpl,
        hookspec,
    )
    from roomkit.plugins.missing import (
        MissingPluginAttributeError,
        MissingPluginImportError,
        PluginNotInstalledError,
    )
    from roomkit.providers.ai.support import (
        CONNECT_TIMEOUT_NAMES,
        CONNECTION_ERROR_NAMES,
        TIMEOUT_ERROR_NAMES,
        AIProviderSettings,
        AnswerDeadline,
        ChatCompletionsFormat,
        ChatStreamReader,
        Redactor,
        RetryPolicy,
        StreamReader,
        ToolCallAssembler,
        VendorAIProvider,
        append_turn,
        attempt_timeout_error,
        canonical_messages,
        check_http_url,
        close_stream,
        connection_error,
        deadline_error,
        effective_sampling,
        ensure_finished,
        exception_names,
        finish_reason_text,
        function_tool_calls,
        function_tools,
        is_retryable_status,
        is_worth_retrying,
        parse_chat_completion,
        parse_chat_usage,
        parse_data_uri,
        parse_tool_arguments,
        plain_headers,
        read_usage,
        require_image_url,
        require_json_object,
        resolve_config,
        retry_after_seconds,
        sdk_error,
        secret_value,
        secrets_of,
        shorten,
        status_error,
        text_and_thinking,
        thinking_parts,
        timeout_error,
        timeout_hook,
        translate_errors,
        transport_error,
    )
    from roomkit.realtime.fanout import Fanout
