"""The timeline event types of the CRM, and the website and business-system events partners
may post (see catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .catalogue import EventType, choice_label
from .models import Channel, ConsentMethod, ConsentStatus, Contact, SalesChannel


def _field_names(value) -> str:
    labels = {f.name: str(f.verbose_name) for f in Contact._meta.concrete_fields}
    names = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(name), str(name)) for name in names)


def _direction(value) -> str:
    return str(_("they called") if value == "inbound" else _("we called"))


SOURCE = {"source": _("where the contact came from (import, website, staff, api)")}
TASK = {
    "task_id": _("the task's id"),
    "title": _("what needs doing"),
    "due_date": _("when it is due (YYYY-MM-DD)"),
}
PURCHASE = {
    "transaction_id": _("the purchase's id"),
    "amount": _("amount, as a decimal string"),
    "currency": _("ISO 4217 currency code"),
    "channel": _("where it was bought (in store, online, phone)"),
    "external_ref": _("the partner's reference (receipt, order number)"),
}
WEB = {
    "path": _("the page's path"),
    "url": _("the page's address"),
    "title": _("the page's title"),
    "referrer": _("where the visitor came from"),
}
ORDER = {
    "order_id": _("the partner's order id"),
    "amount": _("amount, as a decimal string"),
    "currency": _("ISO 4217 currency code"),
    "status": _("the order's state at the partner"),
    "url": _("a link to the order"),
}
INVOICE = {
    "invoice_id": _("the partner's invoice id"),
    "amount": _("amount, as a decimal string"),
    "currency": _("ISO 4217 currency code"),
    "due_date": _("when payment is due (YYYY-MM-DD)"),
    "pay_link": _("where the customer can pay"),
}
SEGMENT = {
    "segment_id": _("the segment's id"),
    "segment_name": _("the segment's name when it changed"),
}
DISRUPTION = {
    "area": _("the area or service affected"),
    "until": _("when service is expected back (ISO 8601)"),
    "reference": _("the partner's incident reference"),
}

EVENT_TYPES = [
    EventType(
        "contact.created", _("Contact created"), ("· {source}",), SOURCE, labels={}, partner=False
    ),
    EventType(
        "contact.imported",
        _("Imported"),
        ("· {source}",),
        {**SOURCE, "import_id": _("the import's id")},
    ),
    EventType(
        "contact.updated",
        _("Contact updated"),
        ("· {fields}",),
        {"fields": _("the names of the changed fields"), "import_id": _("the import's id")},
        labels={"fields": _field_names},
    ),
    EventType(
        "contact.merged",
        _("Duplicates merged into this contact"),
        (),
        {"merged_ids": _("ids of the contacts merged into this one")},
    ),
    EventType("contact.erased", _("Personal data erased"), ()),
    EventType(
        "note.added",
        _("Note"),
        (),
        {"text": _("the note")},
        personal=frozenset({"text"}),
        body="text",
    ),
    EventType(
        "call.logged",
        _("Call"),
        ("· {direction}",),
        {"summary": _("what the call was about"), "direction": _("inbound or outbound")},
        personal=frozenset({"summary"}),
        body="summary",
        labels={"direction": _direction},
    ),
    EventType(
        "task.created",
        _("Task created"),
        ("{title}", "· due {due_date}"),
        TASK,
        personal=frozenset({"title"}),
    ),
    EventType("task.completed", _("Task done"), ("{title}",), TASK, personal=frozenset({"title"})),
    EventType(
        "purchase.made",
        _("Purchase"),
        ("{amount} {currency}", "· {channel}"),
        PURCHASE,
        labels={"channel": choice_label(SalesChannel)},
        partner=False,
    ),
    EventType(
        "purchase.refunded",
        _("Refund"),
        ("{amount} {currency}",),
        PURCHASE,
        labels={"channel": choice_label(SalesChannel)},
    ),
    EventType(
        "consent.changed",
        _("Consent changed"),
        ("{channel}:", "{previous} →", "{status}", "· {method}"),
        {
            "channel": _("email, sms or voice"),
            "status": _("the new consent status"),
            "previous": _("the consent status before"),
            "method": _("how the change was made"),
        },
        labels={
            "channel": choice_label(Channel),
            "status": choice_label(ConsentStatus),
            "previous": choice_label(ConsentStatus),
            "method": choice_label(ConsentMethod),
        },
    ),
    # --- posted by partners (website, shop, billing and network systems) ------------------------
    EventType("page.viewed", _("Viewed a page"), ("· {path}",), WEB, partner=True),
    EventType("form.submitted", _("Sent a form"), ("· {title}", "· {path}"), WEB, partner=True),
    EventType(
        "product.viewed",
        _("Looked at a product"),
        ("{title}",),
        {**WEB, "product_id": _("the partner's product id")},
        partner=True,
    ),
    EventType(
        "cart.abandoned",
        _("Left a full basket"),
        ("{amount} {currency}",),
        {**ORDER, "items": _("how many items were in the basket")},
        partner=True,
    ),
    EventType("order.placed", _("Order placed"), ("{amount} {currency}",), ORDER, partner=True),
    EventType("order.ready", _("Order ready"), ("· {order_id}",), ORDER, partner=True),
    EventType("order.shipped", _("Order shipped"), ("· {order_id}",), ORDER, partner=True),
    EventType(
        "invoice.issued",
        _("Invoice issued"),
        ("{amount} {currency}", "· due {due_date}"),
        INVOICE,
        partner=True,
    ),
    EventType(
        "invoice.overdue",
        _("Invoice overdue"),
        ("{amount} {currency}", "· due {due_date}"),
        INVOICE,
        partner=True,
    ),
    EventType("invoice.paid", _("Invoice paid"), ("{amount} {currency}",), INVOICE, partner=True),
    EventType(
        "service.disruption",
        _("Affected by a disruption"),
        ("{area}", "· until {until}"),
        DISRUPTION,
        partner=True,
    ),
    EventType("service.restored", _("Service restored"), ("{area}",), DISRUPTION, partner=True),
    EventType("segment.entered", _("Entered a segment"), ("{segment_name}",), SEGMENT),
    EventType("segment.left", _("Left a segment"), ("{segment_name}",), SEGMENT),
]
