"""The signed link in every confirmation and reminder that lets the customer move or cancel
their appointment without an account, and the booking page's address for recalls."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.tenants.db import connection

from ..models import Appointment

SALT = "appointments.link.manage"
MAX_AGE = 400 * 86400
INVALID = _("This link is not valid. It may be incomplete or meant for another business.")


def _base_url(base_url: str | None) -> str:
    if base_url:
        return base_url.rstrip("/")
    from apps.tenants.services import tenant_current, tenant_url

    return tenant_url(tenant_current()).rstrip("/")


def appointment_manage_token(appointment: Appointment) -> str:
    """The signed token of the customer's link: this appointment, this business only."""
    return signing.dumps({"s": connection.schema_name, "a": appointment.pk}, salt=SALT)


def appointment_manage_url(*, appointment: Appointment, base_url: str | None = None) -> str:
    """The customer's own link to their appointment (reschedule or cancel)."""
    token = appointment_manage_token(appointment)
    return f"{_base_url(base_url)}{reverse('appointments:booking_manage', args=[token])}"


def appointment_from_token(*, token: str) -> Appointment:
    """The appointment a manage link is for, or a ValidationError a customer can read."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise ValidationError(INVALID) from exc
    if not isinstance(data, dict) or data.get("s") != connection.schema_name or "a" not in data:
        raise ValidationError(INVALID)
    appointment = (
        Appointment.objects.select_related("service", "staff", "contact", "room")
        .filter(pk=data["a"])
        .first()
    )
    if appointment is None:
        raise ValidationError(INVALID)
    return appointment


def booking_page_url(*, service_id: int | None = None, date=None, base_url: str | None = None):
    """The public booking page, optionally opened on a service and a day."""
    query = {}
    if service_id:
        query["service"] = service_id
    if date:
        query["date"] = date.isoformat()
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{_base_url(base_url)}{reverse('appointments:booking_start')}{suffix}"
