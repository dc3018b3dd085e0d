"""Next best offer: the eligible offer with the highest priority, then the best smoothed
acceptance rate among contacts of the same RFM segment (the business-wide rate as the
prior); the choice is recorded with its reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ..models import Offer, OfferMade

if TYPE_CHECKING:
    from apps.contacts.models import TimelineEvent

    from .engine import StepContext

PRIOR_WEIGHT = 5  # how many offers' worth of weight the business-wide rate carries


@dataclass
class Made:
    offer: Offer
    why: str
    record: OfferMade


def _rfm_segment(contact) -> str:
    try:
        return contact.rfm.segment or ""
    except Exception:  # no score yet
        return ""


def offer_rates(offers: list[Offer], segment: str) -> dict[int, tuple[float, int, int]]:
    """{offer id: (smoothed rate, accepted, made)} in this RFM segment, with the offer's
    business-wide rate as the prior."""
    rows = (
        OfferMade.objects.filter(offer__in=offers)
        .values("offer_id")
        .annotate(
            made=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            seg_made=Count("pk", filter=Q(rfm_segment=segment)),
            seg_accepted=Count("pk", filter=Q(rfm_segment=segment, accepted_at__isnull=False)),
        )
    )
    stats = {row["offer_id"]: row for row in rows}
    rates = {}
    for offer in offers:
        row = stats.get(offer.pk, {})
        prior = (row.get("accepted", 0) + 1) / (row.get("made", 0) + 2)
        made, accepted = row.get("seg_made", 0), row.get("seg_accepted", 0)
        rates[offer.pk] = (
            (accepted + prior * PRIOR_WEIGHT) / (made + PRIOR_WEIGHT),
            accepted,
            made,
        )
    return rates


def offers_eligible(*, contact, today: dt.date) -> list[Offer]:
    from apps.contacts.selectors.segments import rules_members

    offers = Offer.objects.filter(active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
    )
    eligible = []
    for offer in offers:
        if not offer.rules:
            eligible.append(offer)
            continue
        try:
            if rules_members(offer.rules).filter(pk=contact.pk).exists():
                eligible.append(offer)
        except ValidationError:
            continue
    return eligible


def offer_choose(*, contact, today: dt.date) -> tuple[Offer, str] | None:
    """The best eligible offer for this contact and why."""
    eligible = offers_eligible(contact=contact, today=today)
    if not eligible:
        return None
    top = max(offer.priority for offer in eligible)
    best = [offer for offer in eligible if offer.priority == top]
    segment = _rfm_segment(contact)
    rates = offer_rates(best, segment)
    chosen = max(best, key=lambda offer: (rates[offer.pk][0], -offer.pk))
    _rate, accepted, made = rates[chosen.pk]
    where = segment or _("all contacts")
    if len(best) == 1 and len(eligible) > 1:
        why = _("%(offer)s: highest priority of %(n)d eligible offers") % {
            "offer": chosen.name,
            "n": len(eligible),
        }
    else:
        why = _("%(offer)s: %(a)d of %(m)d accepted in %(where)s") % {
            "offer": chosen.name,
            "a": accepted,
            "m": made,
            "where": where,
        }
    return chosen, why


def offer_make(*, ctx: StepContext) -> Made | None:
    """Pick and record the offer of an offer step (once per enrollment and step number)."""
    existing = OfferMade.objects.filter(
        enrollment=ctx.enrollment, why__startswith=f"#{ctx.seq} "
    ).first()
    if existing is not None:
        return Made(existing.offer, existing.why.split(" ", 1)[1], existing)
    chosen = offer_choose(contact=ctx.contact, today=ctx.now.astimezone(ctx.zone).date())
    if chosen is None:
        return None
    offer, why = chosen
    record = OfferMade.objects.create(
        offer=offer,
        contact=ctx.contact,
        enrollment=ctx.enrollment if not ctx.enrollment.test_run else None,
        rfm_segment=_rfm_segment(ctx.contact),
        why=f"#{ctx.seq} {why}"[:300],
        made_at=ctx.now,
    )
    return Made(offer, why, record)


def offers_accept_for_event(*, contact_id: int, event: TimelineEvent) -> int:
    """An event that counts as accepting an open offer of this contact."""
    return OfferMade.objects.filter(
        contact_id=contact_id,
        accepted_at__isnull=True,
        offer__accepted_event=event.type,
        made_at__lte=event.occurred_at,
    ).update(accepted_at=event.occurred_at)


def offer_save(*, offer: Offer | None = None, **values: Any) -> Offer:
    """Create or change an offer; its eligibility rules are checked like a segment's."""
    from apps.contacts.selectors.segments import rules_clean

    errors: dict[str, str] = {}
    name = str(values.get("name", offer.name if offer else "")).strip()
    if not name:
        errors["name"] = _("Give the offer a name.")
    text = str(values.get("text", offer.text if offer else "")).strip()
    if not text:
        errors["text"] = _("Write what the offer says.")
    accepted = str(values.get("accepted_event", offer.accepted_event if offer else "")).strip()
    if not accepted:
        errors["accepted_event"] = _("Choose the event that counts as accepted.")
    rules = values.get("rules", offer.rules if offer else {})
    if rules:
        try:
            rules_clean(rules)
        except ValidationError as exc:
            errors["rules"] = "; ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offer = offer or Offer()
        offer.name, offer.text, offer.accepted_event, offer.rules = (
            name[:120],
            text,
            accepted,
            rules,
        )
        for key in ("priority", "valid_from", "valid_until", "reward", "active"):
            if key in values:
                setattr(offer, key, values[key])
        offer.save()
    return offer
