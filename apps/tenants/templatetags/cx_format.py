"""The app's date, time and time-zone filters, built into every template (settings.TEMPLATES
`builtins`), so a template needs no `{% load %}`:

    {{ appointment.starts_at|cx_time }}         2:30 PM (US) · 14:30
    {{ contact.created|cx_date }}               Mar 5, 2026 · 5 Mar 2026
    {{ event.occurred_at|cx_datetime }}         Mar 5, 2026, 2:30 PM · 5 Mar 2026, 14:30
    {{ when|cx_datetime:"seconds" }}            ... with seconds
    {{ day|cx_day }}                            Thursday, March 5, 2026 · Thursday 5 March 2026
    {{ day|cx_day_short }}                      Thu, Mar 5 · Thu 5 Mar
    {{ day|cx_date_short }}                     Mar 5 · 5 Mar
    {{ start|cx_time_range:end }}               2:30 PM–3:15 PM · 14:30–15:15
    {{ business.time_zone|cx_zone }}            Eastern Time (New York)
    {% cx_now "day" %}                          now, in a named format

Datetimes are shown in the active time zone (inside `{% timezone zone %}`, that zone), like
Django's `date` filter. The patterns live in `apps/tenants/formats.py`; a template never writes
its own `|date:"…"` for people to read (tests/tenants/test_formats.py checks), only machine
values such as `|date:"c"` or `|date:"Y-m-d"`.
"""

import datetime as dt

from django import template
from django.utils import timezone

from apps.tenants import formats

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def cx_date(value):
    return formats.format_date(value)


@register.filter(expects_localtime=True, is_safe=False)
def cx_date_short(value):
    return formats.format_date_short(value)


@register.filter(expects_localtime=True, is_safe=False)
def cx_day(value):
    return formats.format_day(value)


@register.filter(expects_localtime=True, is_safe=False)
def cx_day_short(value):
    return formats.format_day_short(value)


@register.filter(expects_localtime=True, is_safe=False)
def cx_time(value, arg=""):
    return formats.format_time(value, seconds=arg == "seconds")


@register.filter(expects_localtime=True, is_safe=False)
def cx_datetime(value, arg=""):
    return formats.format_datetime(value, seconds=arg == "seconds")


@register.filter(expects_localtime=True, is_safe=False)
def cx_time_range(value, end):
    if isinstance(end, dt.datetime) and timezone.is_aware(end):
        end = timezone.localtime(end)
    return formats.format_time_range(value, end)


@register.filter(is_safe=False)
def cx_zone(value):
    return formats.zone_label(str(value or ""))


@register.simple_tag
def cx_now(name="datetime"):
    return formats.format_value(formats.now_local(), name)
