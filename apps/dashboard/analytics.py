"""The analytics widgets' figures, cached per business, widget, period and language.

A widget's `WidgetData` is kept in the cache for its `cache_seconds`. The cache key holds a
generation per model of the widget's `invalidated_by`: saving or deleting a row of one of
those models sets a new generation after commit, so the next request computes afresh. The
cache's key function (django-tenants' `make_key`) puts the schema in front of every key, so
one business's generations and figures never meet another's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from apps.accounts.registries import AnalyticsWidget, analytics_widgets, visible_to
from apps.tenants.db import connection
from apps.tenants.formats import business_time_zone
from cxsuite.lib.analytics import Period, WidgetData, period_ending, rows_written

if TYPE_CHECKING:
    from apps.accounts.models import User

KEY_PREFIX = "dashboard:widget"
GENERATION_PREFIX = "dashboard:gen"


def business_zone() -> zoneinfo.ZoneInfo:
    """The zone of the business the connection serves (the project's on the public site)."""
    return zoneinfo.ZoneInfo(business_time_zone() or settings.TIME_ZONE)


def period_for(key: str | None, *, now: dt.datetime | None = None) -> Period:
    """The period a request asks for ("7d", "30d", "90d", "12m"); anything else is 30 days."""
    return period_ending(key or "", now=now or timezone.now(), zone=business_zone())


def widget_get(widget_id: str, *, user: User) -> AnalyticsWidget | None:
    """The widget `user` may see under `widget_id`, else None (unknown or above their role)."""
    widget = analytics_widgets.get(widget_id)
    if widget is None or not user.has_role(widget.min_role):
        return None
    return widget


def widgets_for(user: User) -> list[AnalyticsWidget]:
    """The widgets `user` may see, lowest order first."""
    return visible_to(user, analytics_widgets.values())


def _generation_key(label: str) -> str:
    return f"{GENERATION_PREFIX}:{label.lower()}"


def _cache_key(widget: AnalyticsWidget, period: Period) -> str:
    labels = sorted(_generation_key(label) for label in widget.invalidated_by)
    generations = cache.get_many(labels) if labels else {}
    stamp = ".".join(str(generations.get(label, 0)) for label in labels)
    day = period.start.date().isoformat()
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"{KEY_PREFIX}:{widget.id}:{period.key}:{day}:{period.zone.key}:{language}:{stamp}"


def widget_data(widget: AnalyticsWidget, period: Period) -> WidgetData:
    """The widget's figures for `period`: from the cache, else computed and kept."""
    key = _cache_key(widget, period)
    data = cache.get(key)
    if data is None:
        data = widget_compute(widget, period)
        cache.set(key, data, widget.cache_seconds)
    return data


def widget_compute(widget: AnalyticsWidget, period: Period) -> WidgetData:
    """The widget's figures computed now, without the cache (the weekly e-mail, the bench)."""
    return import_string(widget.compute)(period)


def widget_generation_bump(label: str) -> None:
    """Drop every cached figure that depends on model `label` in this business."""
    cache.set(_generation_key(label), time.time_ns(), None)


def _model_changed(sender, **kwargs) -> None:
    """After the transaction commits, drop the figures that read this model: once per model
    and business in a transaction, however many rows it saves."""
    label = sender._meta.label_lower
    schema = connection.schema_name
    key = (schema, label)
    for _ids, func, _robust in connection.run_on_commit:
        if getattr(func, "widget_key", None) == key and not getattr(func, "ran", True):
            return

    def bump() -> None:
        bump.ran = True  # type: ignore[attr-defined]
        same = connection.schema_name == schema
        with contextlib.nullcontext() if same else schema_context(schema):
            widget_generation_bump(label)

    bump.widget_key = key  # type: ignore[attr-defined]
    bump.ran = False  # type: ignore[attr-defined]
    transaction.on_commit(bump)


def widget_signals_connect(widgets: Iterable[AnalyticsWidget] | None = None) -> set[str]:
    """Listen to saves and deletes of every model a widget depends on, and to rows written
    without save() (`rows_written`), once per model."""
    labels = {
        label.lower()
        for widget in (analytics_widgets.values() if widgets is None else widgets)
        for label in widget.invalidated_by
    }
    for label in labels:
        model = apps.get_model(label)
        uid = f"dashboard.widgets:{label}"
        post_save.connect(_model_changed, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(_model_changed, sender=model, dispatch_uid=uid, weak=False)
        rows_written.connect(_model_changed, sender=model, dispatch_uid=uid, weak=False)
    return labels
