"""Next best offer: the eligible offer with the highest priority, then the best smoothed
acceptance rate among contacts of the same RFM segment (the business-wide rate as the
prior); the choice is recorded with its reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cxsuite.lib.errors import DomainError

from ..models import Offer, OfferMade

if TYPE_CHECKING:
    from apps.contacts.models import TimelineEvent

    from .engine import StepContext

PRIOR_WEIGHT = 5  # how many offers' worth of weight the business-wide rate carries


@dataclass
class Made:
    offer: Offer
    why: str
    record: OfferMade | None  # None in a test run, which leaves the offer's figures alone


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
    """The active offers in their dates whose segment (when set) holds the contact and whose
    rules (when set) match them."""
    from apps.contacts.selectors.segments import rules_members, segment_members

    offers = (
        Offer.objects.filter(active=True)
        .filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        )
        .select_related("segment")
    )
    eligible = []
    for offer in offers:
        members = segment_members(segment=offer.segment) if offer.segment else None
        if members is not None and not members.filter(pk=contact.pk).exists():
            continue
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
    if ctx.enrollment.test_run:
        return Made(offer, why, None)
    record = OfferMade.objects.create(
        offer=offer,
        contact=ctx.contact,
        enrollment=ctx.enrollment,
        rfm_segment=_rfm_segment(ctx.contact),
        why=f"#{ctx.seq} {why}"[:300],
        made_at=ctx.now,
    )
    return Made(offer, why, record)


def offers_accept_for_event(*, contact_id: int, event: TimelineEvent) -> int:
    """An event that counts as accepting this contact's open offers; each accepted offer's
    reward is given once (the loyalty entry or voucher is keyed by the offer made)."""
    with transaction.atomic():
        accepted = list(
            OfferMade.objects.select_for_update(of=("self",))
            .select_related("offer", "contact")
            .filter(
                contact_id=contact_id,
                accepted_at__isnull=True,
                offer__accepted_event=event.type,
                made_at__lte=event.occurred_at,
            )
        )
        for made in accepted:
            made.accepted_at = event.occurred_at
            made.reward_note = offer_reward_give(made=made, at=event.occurred_at)
            made.save(update_fields=["accepted_at", "reward_note"])
    return len(accepted)


# --- rewards -----------------------------------------------------------------------------
REWARD_TYPES = ("points", "voucher")


def offer_reward_clean(reward: Any) -> dict:
    """{} for no reward, {"type": "points", "points": …, "reason": …} or {"type": "voucher",
    "reward": <loyalty reward id>} / {"type": "voucher", "kind": "amount_off" |
    "percent_off", "value": …, "valid_days": …}. Errors are keyed `reward`."""
    from ..step_loyalty import points_clean, voucher_clean

    if reward in (None, "", {}):
        return {}
    if not isinstance(reward, dict) or reward.get("type") not in REWARD_TYPES:
        raise ValidationError(
            {"reward": _('Give the reward a type: "points" or "voucher", or leave it empty.')}
        )
    clean = points_clean if reward["type"] == "points" else voucher_clean
    try:
        return {"type": reward["type"], **clean(reward)}
    except ValidationError as exc:
        raise ValidationError({"reward": exc.messages}) from exc


def offer_reward_text(reward: dict, *, rewards: dict[int, str] | None = None) -> str:
    """The reward in words for the catalogue ("200 points", "Voucher: Free whitening")."""
    from apps.loyalty.services.vouchers import voucher_grant_label

    if not reward:
        return ""
    if reward.get("type") == "points":
        return _("%(n)s points") % {"n": f"{int(reward.get('points') or 0):,}"}
    if reward.get("reward"):
        name = (rewards or {}).get(int(reward["reward"])) or _("a reward no longer available")
    else:
        name = voucher_grant_label(str(reward.get("kind")), Decimal(str(reward.get("value"))))
    return _("Voucher: %(name)s") % {"name": name}


def offer_reward_give(*, made: OfferMade, at: dt.datetime) -> str:
    """Give the reward of an accepted offer; returns what was given, or why nothing was."""
    from ..step_loyalty import points_grant, voucher_give

    reward = made.offer.reward or {}
    if reward.get("type") not in REWARD_TYPES:
        return ""
    key = f"offer:{made.pk}"
    # loyalty's refusals (an erased contact, a member who left, no stock) become the note:
    # they never hold the journeys subscriber back
    if reward["type"] == "points":
        reason = reward.get("reason") or made.offer.name
        try:
            points_grant(
                contact=made.contact, points=int(reward["points"]), key=key, at=at, reason=reason
            )
        except (ValidationError, DomainError) as exc:
            why = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return (_("Not given: %(why)s") % {"why": why})[:200]
        return offer_reward_text(reward)[:200]
    voucher = voucher_give(contact=made.contact, config=reward, key=key, at=at)
    if isinstance(voucher, str):
        return (_("Not given: %(why)s") % {"why": voucher})[:200]
    return (_("Voucher: %(name)s") % {"name": voucher.label})[:200]


def _int_or_none(value: Any) -> int | None:
    """A row id, or None for anything that cannot be one (text, 10**30, a list)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < 2**31 else None


def offer_save(*, offer: Offer | None = None, **values: Any) -> Offer:
    """Create or change an offer; its eligibility rules are checked like a segment's."""
    from apps.contacts.selectors.segments import rules_clean, segment_list

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
    if values.get("segment") is not None:  # a segment or its id, of this business
        segment_id = _int_or_none(getattr(values["segment"], "pk", values["segment"]))
        values["segment"] = segment_list().filter(pk=segment_id or 0).first()
        if values["segment"] is None:
            errors["segment"] = _("Choose one of the business's segments.")
    if "reward" in values:
        try:
            values["reward"] = offer_reward_clean(values["reward"])
        except ValidationError as exc:
            errors["reward"] = " ".join(exc.messages)
    valid_from = values.get("valid_from", offer.valid_from if offer else None)
    valid_until = values.get("valid_until", offer.valid_until if offer else None)
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = _("The offer must end on or after the day it starts.")
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
        for key in ("segment", "priority", "valid_from", "valid_until", "reward", "active"):
            if key in values:
                setattr(offer, key, values[key])
        offer.save()
    return offer
