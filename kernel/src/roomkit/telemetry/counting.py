"""Counted steps: what a :class:`~roomkit.telemetry.tracer.Tracer` records as a count, not a span.

Below the root span of a message the provider does not trace, the steps of the kinds it only
counts (:attr:`~roomkit.telemetry.base.TelemetryProvider.counted_kinds`, e.g. deliveries and
hook runs) are not spans at all: the tracer hands out one shared id per step (kind, name,
channel, attributes) and, when a step ends, adds one to the
:class:`~roomkit.telemetry.base.StepCount` that
:meth:`~roomkit.telemetry.base.TelemetryProvider.step_counter` gave for its label set (asked
once per label set and thread): two dictionary look-ups and an addition per step.

:class:`StepCounting` holds those tables and the counting methods; the tracer extends it. A
provider that hands out no counting function gets the step as a span after all (correct, just
slower); nothing here raises.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from threading import get_ident
from typing import TYPE_CHECKING, Any

from roomkit.telemetry.base import Attributes, StepCount, TelemetryProvider
from roomkit.telemetry.metrics import METRIC_ATTRIBUTES, Metric
from roomkit.telemetry.spans import Attr, SpanKind

__all__ = ["StepCounting"]

logger = logging.getLogger("roomkit.telemetry")

#: At most this many counted steps (kind, name, channel, attributes) get a shared id, and at
#: most this many (thread, step, status, end attributes) combinations keep their counting
#: function; beyond, steps are recorded as spans (correct, just slower).
_MAX_STEPS = 4096
_INBOUND = SpanKind.INBOUND_PIPELINE


class StepCounting:
    """The counted-step tables and counting of a tracer (see the module docstring)."""

    __slots__ = ("_adders", "_hook_steps", "_step_ids", "_steps", "counts")

    #: set by the tracer: the provider asked for counting functions, and the kit's metadata
    provider: TelemetryProvider
    _metadata: dict[str, Any]

    if TYPE_CHECKING:  # the tracer's span methods, which the long way of a count calls

        def start_hook(self, kind: SpanKind, trigger: str, name: str, room_id: str) -> str: ...

        def start(
            self,
            kind: SpanKind,
            name: str,
            attributes: dict[str, Any] | None = None,
            *,
            room_id: str | None = None,
            channel_id: str | None = None,
        ) -> str: ...

        def end(self, span_id: str, attributes: Attributes | None = None) -> None: ...

        def fail(
            self, span_id: str, error: BaseException | str, attributes: Attributes | None = None
        ) -> None: ...

    def __init__(self) -> None:
        self._step_ids: dict[tuple[Any, ...], str] = {}  # (kind, name, channel, *attrs) -> id
        self._hook_steps: dict[tuple[SpanKind, str, str], str] = {}  # (kind, trigger, name)
        #: shared id -> (kind, name, start attributes, channel id)
        self._steps: dict[str, tuple[SpanKind, str, dict[str, Any], str | None]] = {}
        #: (thread, shared id, status, *end attributes) -> the provider's count
        self._adders: dict[tuple[Any, ...], StepCount] = {}
        #: The counts that :meth:`count_hook` and :meth:`count_delivery` added to, by
        #: ``(thread, kind, trigger, name, result)`` for a hook run, ``(thread, channel id,
        #: channel type)`` for a delivery that went well and ``(thread, SpanKind.DELIVERY,
        #: channel id, channel type, status)`` for one that failed: a call site may add 1 to
        #: the count it finds here itself (``counts[key].value += 1``) and call the method
        #: when there is none yet (``KeyError``).
        self.counts: dict[tuple[Any, ...], StepCount] = {}

    def count_hook(
        self, kind: SpanKind, trigger: str, name: str, result: str, room_id: str
    ) -> None:
        """End a hook run that went well (``result``: its action) in a message that only
        counts hook runs (:attr:`counted`): what :meth:`start_hook` and :meth:`end` with
        ``hook.result`` would do, in one call; a run that raised takes those two instead."""
        key = (get_ident(), kind, trigger, name, result)
        try:
            self.counts[key].value += 1
            return
        except KeyError:  # not seen yet in this thread (or not counted at all)
            pass
        span = self.start_hook(kind, trigger, name, room_id)
        attributes = {Attr.HOOK_RESULT: result}
        self.end(span, attributes)
        self._learn(key, span, "ok", attributes)

    def count_delivery(
        self,
        room_id: str,
        channel_id: str,
        channel_type: str,
        status: str,
        error: str | None = None,
        message_id: str | None = None,
    ) -> None:
        """End a delivery in a message that only counts deliveries (:attr:`counted`): what
        :meth:`start` and then :meth:`end` (``error`` ``None``: delivered, ``message_id`` the
        channel's id of the message) or :meth:`fail` (``status`` and ``error`` of the failed
        delivery) of its ``roomkit.delivery`` span would do, in one call. A delivery that
        raised takes those calls instead."""
        key: tuple[Any, ...] = (
            (get_ident(), channel_id, channel_type)
            if error is None
            else (get_ident(), SpanKind.DELIVERY, channel_id, channel_type, status)
        )
        try:
            self.counts[key].value += 1
            return
        except KeyError:  # not seen yet in this thread (or not counted at all)
            pass
        span = self.start(
            SpanKind.DELIVERY,
            "roomkit.delivery",
            {Attr.CHANNEL_ID: channel_id, Attr.DELIVERY_CHANNEL_TYPE: channel_type},
            room_id=room_id,
            channel_id=channel_id,
        )
        attributes: dict[str, Any]
        if error is None:
            attributes = {Attr.DELIVERY_STATUS: status, Attr.DELIVERY_SUCCESS: True}
            if message_id:
                attributes[Attr.DELIVERY_MESSAGE_ID] = message_id
            self.end(span, attributes)
            self._learn(key, span, "ok", attributes)
            return
        attributes = {
            Attr.DELIVERY_STATUS: status,
            Attr.DELIVERY_SUCCESS: False,
            Attr.DELIVERY_ERROR: error,
        }
        self.fail(span, error or "delivery failed", attributes)
        self._learn(key, span, "error", attributes)

    def _learn(
        self, key: tuple[Any, ...], span_id: str, status: str, attributes: Attributes
    ) -> None:
        """After a counted step ended the long way: keep the count it added to under ``key``
        (:meth:`count_hook`, :meth:`count_delivery`), so the next such end is one addition."""
        if span_id not in self._steps or len(self.counts) >= _MAX_STEPS:
            return  # not a counted step (a span, or nothing recorded): the long way each time
        labels = [i for i in attributes.items() if i[0] in METRIC_ATTRIBUTES]
        try:
            add = self._adders.get((get_ident(), span_id, status, *labels))
        except TypeError:  # an unhashable label value
            return
        if add is not None:
            self.counts[key] = add

    # -- counted steps ----------------------------------------------------------------------
    def _count_start(
        self, kind: SpanKind, name: str, attributes: Attributes | None, channel_id: str | None
    ) -> str | None:
        """The shared id of a counted step (``None``: record it as a span instead)."""
        key = (
            (kind, name, channel_id, *attributes.items())
            if attributes
            else (kind, name, channel_id)
        )
        try:
            step = self._step_ids.get(key)
        except TypeError:  # an unhashable attribute value
            return None
        if step is None:
            if len(self._steps) >= _MAX_STEPS:
                return None
            step = f"#{len(self._steps) + 1}"  # never an id a provider hands out
            start = dict(attributes) if attributes else {}
            if self._metadata:
                start = {**self._metadata, **start}
            self._steps[step] = (kind, name, start, channel_id)
            self._step_ids[key] = step
        return step

    def _count(
        self,
        span_id: str,
        step: tuple[SpanKind, str, dict[str, Any], str | None],
        status: str,
        attributes: Attributes | None,
    ) -> None:
        """One more step ``span_id`` that ended with ``status`` and ``attributes``."""
        try:
            key = (
                (get_ident(), span_id, status, *attributes.items())
                if attributes
                else (get_ident(), span_id, status)
            )
            try:
                add = self._adders.get(key)
            except TypeError:  # an unhashable attribute value
                add = None
            if add is None:
                add = self._adder(key, step, status, attributes)
            if add is not None:
                add.value += 1
                return
            kind, name, start, channel_id = step  # no counting function: a span after all
            span = self.provider.start_span(kind, name, attributes=start, channel_id=channel_id)
            if span:
                self.provider.end_span(span, status=status, attributes=attributes)
        except Exception:
            logger.exception("telemetry: counting a %s step failed", step[0])

    def _adder(
        self,
        key: tuple[Any, ...],
        step: tuple[SpanKind, str, dict[str, Any], str | None],
        status: str,
        attributes: Attributes | None,
    ) -> StepCount | None:
        """The count of a step end not seen with these end attributes: found by its metric
        labels, else asked of the provider (and remembered under both keys)."""
        labelled = key
        if attributes and any(k not in METRIC_ATTRIBUTES for k in attributes):
            labelled = key[:3] + tuple(i for i in attributes.items() if i[0] in METRIC_ATTRIBUTES)
        try:
            add = self._adders.get(labelled)
        except TypeError:  # an unhashable label value: the provider decides each time
            labelled = ()
            add = None
        if add is None:
            kind, _, start, channel_id = step
            merged = {**start, **attributes} if attributes else start
            add = self.provider.step_counter(kind, merged, channel_id, status)
            if add is None:
                return None
            if labelled and len(self._adders) < _MAX_STEPS:
                self._adders[labelled] = add
        if labelled and key is not labelled and len(self._adders) < _MAX_STEPS:
            with suppress(TypeError):  # unhashable raw end attributes: no alias
                self._adders[key] = add  # an alias: the raw end attributes
        return add

    def _count_root(self, channel_id: object, status: str, attributes: dict[str, Any]) -> None:
        """Count a message whose root is counted (``COUNTED_ROOT``): as a counted step of
        the kind ``INBOUND_PIPELINE``, with the attributes its root span would have had."""
        channel = channel_id if isinstance(channel_id, str) else None
        start: dict[str, Any] = {Attr.CHANNEL_ID: channel} if channel is not None else {}
        step = self._count_start(_INBOUND, "roomkit.inbound", start, channel)
        if step is None:  # too many steps: nothing better than the provider's own record
            try:
                self.provider.record_metric(
                    Metric.MESSAGES, 1, attributes={**start, **attributes, "status": status}
                )
            except Exception:
                logger.exception("telemetry: counting a message failed")
            return
        self._count(step, self._steps[step], status, attributes)
        if status == "ok":
            self._learn(
                (get_ident(), _INBOUND, channel_id, attributes[Attr.INBOUND_OUTCOME]),
                step,
                status,
                attributes,
            )
