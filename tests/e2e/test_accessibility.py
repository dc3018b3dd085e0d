"""Every page a person sees, staff or customer, passes axe-core's WCAG 2.1 AA and best-practice
rules with no serious or critical violation, at desktop (1280 px) and phone (390 px) width.

`PAGES` names each page by its URL name and says how to reach it; `NOT_PAGES` names every other
route and why it is not audited (an htmx partial, a POST-only action, a file). A route in
neither fails `test_every_route_is_audited_or_says_why`, so a new module's pages are audited
from the day they land."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from oauth2_provider.models import get_application_model
from playwright.sync_api import Error as PlaywrightError

from apps.accounts.models import User
from apps.accounts.services import invitation_token
from apps.appointments.services import appointment_manage_token
from apps.contacts import services as contact_services
from apps.journeys.services import (
    enrollment_enter,
    journey_activate,
    journey_advance,
    journey_from_template,
    offer_save,
)
from apps.messaging.services.links import preferences_url, unsubscribe_url
from tests.accounts.factories import InvitationFactory, oauth_token_create, partner_app_create
from tests.appointments.factories import (
    AppointmentFactory,
    HolidayFactory,
    RoomFactory,
    ServiceFactory,
    StaffMemberFactory,
    WaitlistEntryFactory,
    week_hours,
)
from tests.campaigns.factories import campaign_for, sent_campaign
from tests.conftest import owner_email
from tests.contacts.factories import SegmentFactory
from tests.e2e.helpers import log_in
from tests.messaging.factories import InboundMessageFactory, SentMessageFactory
from tests.webhooks.factories import (
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}

PARTIAL = "an htmx partial inside a page that is audited"
ACTION = "a POST-only action; its result is a page that is audited"
FILE = "a file (CSV, JSON, iCalendar, image), not a page"
REDIRECT = "redirects to a page that is audited"
ADMIN = "Django's own admin, for the platform operator only"
API = "the API (JSON), checked by the schema tests"

# URL name → why it is not audited.
NOT_PAGES: dict[str, str] = {
    "campaigns:campaign_progress": PARTIAL,
    "campaigns:campaign_action": ACTION,
    "campaigns:topic_delete": ACTION,
    "campaigns:campaign_variant_remove": ACTION,
    "campaigns:campaign_preview": "an e-mail shown in a frame of the campaign page (audited there)",
    "dashboard:home_get_started": PARTIAL,
    "dashboard:analytics_widget": PARTIAL,
    "dashboard:analytics_widget_csv": FILE,
    "dashboard:weekly_summary_preference": PARTIAL,
    "contacts:contacts_bulk": ACTION,
    "contacts:contact_timeline": PARTIAL,
    "contacts:contact_note_add": ACTION,
    "contacts:contact_call_log": ACTION,
    "contacts:contact_task_add": ACTION,
    "contacts:contact_task_complete": ACTION,
    "contacts:contact_consent_set": ACTION,
    "contacts:home_tasks": PARTIAL,
    "contacts:segment_preview": PARTIAL,
    "contacts:segment_rule_row": PARTIAL,
    "contacts:segment_rule_group": PARTIAL,
    "contacts:segment_rule_removed": PARTIAL,
    "contacts:segment_counts": PARTIAL,
    "contacts:segment_count": PARTIAL,
    "contacts:segment_delete": ACTION,
    "contacts:segment_member_add": ACTION,
    "contacts:segment_member_remove": ACTION,
    "contacts:import_detail": "needs an uploaded file; the import's pages have e2e tests",
    "contacts:import_mapping": "needs an uploaded file; the import's pages have e2e tests",
    "contacts:contact_export": FILE,
    "contacts:contact_privacy_export": FILE,
    "contacts:contact_erase": ACTION,
    "contacts:duplicate_merge": ACTION,
    "contacts:custom_field_remove": ACTION,
    "messaging:inbox_mark_read": ACTION,
    "messaging:home_replies": PARTIAL,
    "messaging:template_preview": PARTIAL,
    "messaging:link_open": FILE,
    "messaging:link_click": REDIRECT,
    "appointments:home_today": PARTIAL,
    "appointments:waitlist_remove": ACTION,
    "appointments:contact_search": PARTIAL,
    "appointments:appointment_status": ACTION,
    "appointments:appointment_approve": ACTION,
    "appointments:appointment_cancel": ACTION,
    "appointments:appointment_move": ACTION,
    "appointments:contact_appointments": PARTIAL,
    "feedback:survey_score": REDIRECT,
    "feedback:survey_send": ACTION,
    "feedback:case_update": ACTION,
    "feedback:case_resolve": ACTION,
    "feedback:home_cases": PARTIAL,
    "feedback:home_remember": PARTIAL,
    "feedback:survey_question_add": ACTION,
    "feedback:survey_question_remove": ACTION,
    "feedback:contact_panel": PARTIAL,
    "feedback:do_not_survey": ACTION,
    "feedback:remember_honour": ACTION,
    "appointments:staff_hours": ACTION,
    "appointments:hours_override_set": ACTION,
    "appointments:hours_override_clear": ACTION,
    "appointments:time_off_add": ACTION,
    "appointments:time_off_delete": ACTION,
    "appointments:staff_feed_reset": ACTION,
    "appointments:holiday_add": ACTION,
    "appointments:holiday_delete": ACTION,
    "appointments:booking_done": REDIRECT,
    "appointments:booking_ics": FILE,
    "appointments:staff_feed": FILE,
    "appointments:setup": REDIRECT,
    "accounts:logout": ACTION,
    "accounts:settings": REDIRECT,
    "accounts:password_reset_confirm": "needs a token mailed to a user; same form as reset",
    "accounts:user_update": ACTION,
    "accounts:invitation_revoke": ACTION,
    "accounts:api_key_revoke": ACTION,
    "accounts:oauth_app_revoke": ACTION,
    "accounts:oauth_token": "a partner app's token endpoint (JSON), tested in tests/accounts",
    "accounts:oauth_revoke_token": "a partner app's token endpoint (JSON), tested in tests/accounts",
    "partner_app_new": "partner app registration, audited on the public host (see PUBLIC_PAGES)",
    "messaging:conversation_send": ACTION,
    "messaging:contact_messages": PARTIAL,
    "messaging:link_short": REDIRECT,
    "appointments:home_pending": PARTIAL,
    "appointments:booking_link_open": REDIRECT,
    "appointments:booking_link_copied": ACTION,
    "appointments:booking_qr": FILE,
    "appointments:home_setup": PARTIAL,
    "appointments:setup_checklist_dismiss": ACTION,
    "appointments:home_booking_link": PARTIAL,
    "notifications:notification_count": PARTIAL,
    "webhooks:endpoint_update": ACTION,
    "webhooks:endpoint_rotate": ACTION,
    "webhooks:endpoint_switch": ACTION,
    "webhooks:endpoint_replay": ACTION,
    "webhooks:endpoint_delete": ACTION,
    "webhooks:delivery_replay": ACTION,
    "notifications:notification_mark_all_read": ACTION,
    "notifications:notification_open": REDIRECT,
    "notifications:notification_preferences": PARTIAL,
    "journeys:journey_settings": ACTION,
    "journeys:journey_step_save": ACTION,
    "journeys:journey_step_fields": PARTIAL,
    "journeys:journey_step_move": ACTION,
    "journeys:journey_state": ACTION,
    "journeys:journey_test": ACTION,
    "journeys:contact_journeys": PARTIAL,
    "accounts:login_signup": "a one-time sign-in link that redirects to Home",
    "api_schema": FILE,
    "healthz": FILE,
    "signup": "the sign-up page, audited on the public host (see PUBLIC_PAGES)",
    "landing": "the landing page, audited on the public host (see PUBLIC_PAGES)",
    "loyalty:member_adjust": ACTION,
    "loyalty:member_issue": ACTION,
    "loyalty:member_send_card": ACTION,
    "loyalty:member_card_link": REDIRECT,
    "loyalty:settings_preview": PARTIAL,
    "loyalty:tier_remove": ACTION,
    "loyalty:home_card": PARTIAL,
    "loyalty:contact_panel": PARTIAL,
    "loyalty:contact_enrol": ACTION,
    "loyalty:card_qr": FILE,
    "loyalty:flag_resolve": ACTION,
}


@dataclass(frozen=True)
class Page:
    path: Callable[[dict[str, Any]], str]
    staff: bool = True  # behind the log-in


def _url(name: str, *keys: str) -> Callable[[dict[str, Any]], str]:
    return lambda objects: reverse(name, args=[objects[key] for key in keys])


# URL name → how to reach it on the business's host (objects come from the `world` fixture).
PAGES: dict[str, Page] = {
    "dashboard:home": Page(_url("dashboard:home")),
    "contacts:contact_list": Page(_url("contacts:contact_list")),
    "contacts:contact_create": Page(_url("contacts:contact_create")),
    "contacts:contact_detail": Page(_url("contacts:contact_detail", "contact")),
    "contacts:contact_edit": Page(_url("contacts:contact_edit", "contact")),
    "contacts:segment_list": Page(_url("contacts:segment_list")),
    "contacts:segment_create": Page(_url("contacts:segment_create")),
    "contacts:segment_detail": Page(_url("contacts:segment_detail", "segment")),
    "contacts:import_upload": Page(_url("contacts:import_upload")),
    "contacts:duplicate_list": Page(_url("contacts:duplicate_list")),
    "contacts:contact_settings": Page(_url("contacts:contact_settings")),
    "messaging:outbox": Page(_url("messaging:outbox")),
    "messaging:conversation": Page(_url("messaging:conversation", "contact")),
    "notifications:notification_list": Page(_url("notifications:notification_list")),
    "appointments:booking_share": Page(_url("appointments:booking_share")),
    "messaging:message_detail": Page(_url("messaging:message_detail", "message")),
    "messaging:inbox": Page(_url("messaging:inbox")),
    "messaging:template_list": Page(_url("messaging:template_list")),
    "messaging:template_edit": Page(
        lambda o: (
            reverse("messaging:template_edit")
            + "?purpose=appointment_confirmation&channel=email&language=en"
        )
    ),
    "messaging:messaging_settings": Page(_url("messaging:messaging_settings")),
    "messaging:link_unsubscribe": Page(lambda o: o["unsubscribe"], staff=False),
    "messaging:link_preferences": Page(lambda o: o["preferences"], staff=False),
    "appointments:calendar": Page(_url("appointments:calendar")),
    "appointments:calendar#week": Page(lambda o: reverse("appointments:calendar") + "?view=week"),
    "appointments:waitlist_list": Page(_url("appointments:waitlist_list")),
    "appointments:appointment_book": Page(_url("appointments:appointment_book")),
    "appointments:appointment_detail": Page(_url("appointments:appointment_detail", "visit")),
    "appointments:service_list": Page(_url("appointments:service_list")),
    "appointments:service_create": Page(_url("appointments:service_create")),
    "appointments:service_edit": Page(_url("appointments:service_edit", "service")),
    "appointments:staff_list": Page(_url("appointments:staff_list")),
    "appointments:staff_create": Page(_url("appointments:staff_create")),
    "appointments:staff_edit": Page(_url("appointments:staff_edit", "staff")),
    "appointments:room_list": Page(_url("appointments:room_list")),
    "appointments:room_create": Page(_url("appointments:room_create")),
    "appointments:room_edit": Page(_url("appointments:room_edit", "room")),
    "appointments:holiday_list": Page(_url("appointments:holiday_list")),
    "appointments:settings_edit": Page(_url("appointments:settings_edit")),
    "appointments:booking_start": Page(_url("appointments:booking_start"), staff=False),
    "appointments:booking_waitlist": Page(
        lambda o: reverse("appointments:booking_waitlist") + f"?service={o['service']}",
        staff=False,
    ),
    "appointments:booking_manage": Page(_url("appointments:booking_manage", "token"), staff=False),
    "appointments:booking_reschedule": Page(
        _url("appointments:booking_reschedule", "token"), staff=False
    ),
    "appointments:booking_cancel": Page(_url("appointments:booking_cancel", "token"), staff=False),
    "accounts:login": Page(_url("accounts:login"), staff=False),
    "accounts:password_reset": Page(_url("accounts:password_reset"), staff=False),
    "accounts:password_reset_done": Page(_url("accounts:password_reset_done"), staff=False),
    "accounts:password_reset_complete": Page(_url("accounts:password_reset_complete"), staff=False),
    "accounts:invitation_accept": Page(_url("accounts:invitation_accept", "invite"), staff=False),
    "accounts:settings_profile": Page(_url("accounts:settings_profile")),
    "accounts:settings_preferences": Page(_url("accounts:settings_preferences")),
    "accounts:user_list": Page(_url("accounts:user_list")),
    "accounts:api_key_list": Page(_url("accounts:api_key_list")),
    "webhooks:endpoint_list": Page(_url("webhooks:endpoint_list")),
    "webhooks:endpoint_detail": Page(_url("webhooks:endpoint_detail", "endpoint")),
    "webhooks:delivery_detail": Page(_url("webhooks:delivery_detail", "endpoint", "delivery")),
    "accounts:oauth_app_list": Page(_url("accounts:oauth_app_list")),
    "accounts:oauth_authorize": Page(lambda o: o["authorize"]),
    "dashboard:developers": Page(_url("dashboard:developers"), staff=False),
    "feedback:figures": Page(_url("feedback:figures")),
    "feedback:case_list": Page(_url("feedback:case_list")),
    "feedback:case_detail": Page(_url("feedback:case_detail", "case")),
    "feedback:response_list": Page(_url("feedback:response_list")),
    "feedback:survey_list": Page(_url("feedback:survey_list")),
    "feedback:survey_create": Page(_url("feedback:survey_create")),
    "feedback:survey_edit": Page(_url("feedback:survey_edit", "survey")),
    "feedback:settings": Page(_url("feedback:settings")),
    "feedback:survey_page": Page(_url("feedback:survey_page", "survey_link"), staff=False),
    "feedback:survey_page#thanks": Page(
        lambda o: reverse("feedback:survey_page", args=[o["answered_link"]]), staff=False
    ),
    "api_docs": Page(_url("api_docs")),
    "campaigns:campaign_list": Page(_url("campaigns:campaign_list")),
    "campaigns:topic_list": Page(_url("campaigns:topic_list")),
    "campaigns:campaign_create": Page(_url("campaigns:campaign_create")),
    "campaigns:campaign_edit": Page(_url("campaigns:campaign_edit", "draft_campaign")),
    "campaigns:campaign_detail": Page(_url("campaigns:campaign_detail", "campaign")),
    "campaigns:campaign_detail#draft": Page(_url("campaigns:campaign_detail", "draft_campaign")),
    "campaigns:campaign_web_version": Page(
        _url("campaigns:campaign_web_version", "web_token"), staff=False
    ),
    "journeys:journey_list": Page(_url("journeys:journey_list")),
    "journeys:journey_detail": Page(_url("journeys:journey_detail", "journey")),
    "journeys:journey_figures": Page(_url("journeys:journey_figures", "journey")),
    "journeys:enrollment_list": Page(_url("journeys:enrollment_list", "journey")),
    "journeys:enrollment_detail": Page(_url("journeys:enrollment_detail", "enrollment")),
    "journeys:offer_list": Page(_url("journeys:offer_list")),
    "journeys:offer_detail": Page(_url("journeys:offer_detail", "offer")),
    "loyalty:member_list": Page(_url("loyalty:member_list")),
    "loyalty:member_detail": Page(_url("loyalty:member_detail", "member")),
    "loyalty:counter": Page(_url("loyalty:counter")),
    "loyalty:counter#code": Page(lambda o: reverse("loyalty:counter") + f"?code={o['voucher']}"),
    "loyalty:settings": Page(_url("loyalty:settings")),
    "loyalty:tier_create": Page(_url("loyalty:tier_create")),
    "loyalty:tier_edit": Page(_url("loyalty:tier_edit", "tier")),
    "loyalty:reward_create": Page(_url("loyalty:reward_create")),
    "loyalty:reward_edit": Page(_url("loyalty:reward_edit", "reward")),
    "loyalty:figures": Page(_url("loyalty:figures")),
    "loyalty:flag_list": Page(_url("loyalty:flag_list")),
    "loyalty:card": Page(_url("loyalty:card", "card"), staff=False),
    "loyalty:join": Page(_url("loyalty:join", "referral_code"), staff=False),
}
AUDITED = {name.split("#")[0] for name in PAGES}  # "name#variant": the same page, another view
# On the platform's own host.
PUBLIC_PAGES = ["/", "/signup/", "/partners/apps/new/"]


def _routes(patterns, namespace: str | None = None, prefix: str = "") -> Iterator[tuple]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if namespace and pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from _routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern)


def _unaudited(urlconf: str) -> list[str]:
    missing = []
    for name, route in _routes(get_resolver(urlconf).url_patterns):
        if route.startswith(("api/v1/", "webhooks/")):
            continue  # the API and providers' callbacks: JSON
        if name.startswith("admin:"):
            continue  # ADMIN
        if name not in AUDITED and name not in NOT_PAGES:
            missing.append(f"{name} ({route})")
    return missing


def test_every_route_is_audited_or_says_why():
    missing = _unaudited("cxsuite.urls_tenant") + _unaudited("cxsuite.urls_public")
    assert missing == [], "add these to PAGES or NOT_PAGES in this file: " + ", ".join(missing)
    names = {
        name
        for urlconf in ("cxsuite.urls_tenant", "cxsuite.urls_public")
        for name, _ in _routes(get_resolver(urlconf).url_patterns)
    }
    assert sorted((AUDITED | set(NOT_PAGES)) - names) == []  # no stale names


@pytest.fixture
def world(committed_tenant) -> Iterator[dict[str, Any]]:
    """One of everything a page can show, committed so the live server sees it."""
    owner = User.objects.get(email=owner_email("alpha"))
    staff = StaffMemberFactory(name="Dr. Anna Weber", title="Dentist")
    week_hours(staff, dt.time(8), dt.time(18))
    room = RoomFactory(name="Chair 1")
    service = ServiceFactory(name="Check-up", staff=[staff], price=80, duration_minutes=30)
    contact = contact_services.contact_create(
        actor=owner,
        first_name="Marguerite",
        last_name="Duras",
        email="marguerite@example.test",
        phone="+49 151 23456789",
        tags=["vip"],
        owner=owner,
    )
    starts = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    visit = AppointmentFactory(contact=contact, service=service, staff=staff, starts_at=starts)
    WaitlistEntryFactory(contact=contact, service=service)
    HolidayFactory()
    message = SentMessageFactory(contact=contact)
    InboundMessageFactory(contact=contact)
    endpoint = WebhookEndpointFactory(
        url="https://hooks.partner-booking.example.com/cxsuite/incoming",
        event_types=["appointment.booked", "appointment.cancelled"],
    )
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="failed")
    WebhookAttemptFactory(delivery=delivery)
    WebhookDeliveryFactory(endpoint=endpoint, status="succeeded", response_status=200)
    base = ""
    journey = journey_activate(journey=journey_from_template(key="payment_reminder"))
    enrollment = enrollment_enter(
        journey=journey, contact=contact, properties={"invoice_id": "INV-1", "amount": "80.00"}
    )
    journey_advance(journey=journey)
    campaign = sent_campaign(contacts=[contact])
    draft = campaign_for([contact], name="Autumn offer")
    app, _secret = partner_app_create()
    oauth_token_create(["contacts:read", "appointments:write"], app=app, user=owner)
    authorize = "/oauth/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": "https://partner.example/cb",
            "scope": "contacts:read appointments:write",
            "state": "s",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )
    feedback = _feedback_world(contact)
    loyalty = loyalty_world(contact_id=contact.pk, owner=owner)
    yield {
        **feedback,
        **loyalty,
        "journey": journey.pk,
        "enrollment": enrollment.pk,
        "offer": offer_save(
            name="Payment plan",
            text="Pay in three parts",
            accepted_event="invoice.paid",
            reward={"type": "points", "points": 200},
        ).pk,
        "campaign": campaign.pk,
        "draft_campaign": draft.pk,
        "web_token": campaign.web_token,
        "contact": contact.pk,
        "segment": SegmentFactory(name="VIP").pk,
        "message": message.pk,
        "visit": visit.pk,
        "token": appointment_manage_token(visit),
        "service": service.pk,
        "staff": staff.pk,
        "room": room.pk,
        "invite": invitation_token(InvitationFactory(email="new@alpha.test")),
        "unsubscribe": unsubscribe_url(message=message, base_url=base),
        "preferences": preferences_url(contact=contact, base_url=base),
        "endpoint": endpoint.pk,
        "delivery": delivery.pk,
        "authorize": authorize,
    }
    get_application_model().objects.all().delete()


def _feedback_world(contact) -> dict[str, Any]:
    """A survey, an unanswered link, an answered one (the thanks page) and an open case."""
    from apps.contacts.models import Contact
    from apps.feedback.models import Case, FeedbackSettings
    from apps.feedback.services.invitations import (
        invitation_create,
        invitation_link_token,
        invitation_send,
    )
    from apps.feedback.services.responses import response_submit
    from tests.feedback.factories import SurveyFactory

    FeedbackSettings.objects.update_or_create(
        pk=1, defaults={"review_url": "https://g.page/alpha/review"}
    )
    survey = SurveyFactory(name="After your visit")
    pending = invitation_send(invitation=invitation_create(survey=survey, contact=contact))
    other = Contact.objects.create(first_name="Jean", last_name="Genet", email="jg@example.test")
    answered = invitation_send(invitation=invitation_create(survey=survey, contact=other))
    response_submit(invitation=answered, score=3, comment="The wait was long")
    return {
        "survey": survey.pk,
        "survey_link": invitation_link_token(pending),
        "answered_link": invitation_link_token(answered),
        "case": Case.objects.get(response__invitation=answered).pk,
    }


def loyalty_world(*, contact_id: int, owner) -> dict[str, Any]:
    """A member with points, a tier, a reward and a voucher, referrals on."""
    from apps.contacts.models import Contact
    from apps.loyalty.services.card import member_card_token
    from apps.loyalty.services.ledger import member_enrol, points_adjust, points_earn
    from apps.loyalty.services.vouchers import reward_redeem
    from tests.loyalty.factories import RewardFactory, TierFactory
    from tests.loyalty.helpers import program_set

    program_set(tiers_enabled=True, referrals_enabled=True, expiry_months=12)
    tier = TierFactory(name="Gold", threshold=500)
    reward = RewardFactory(name="Free whitening", cost_points=200)
    member = member_enrol(contact=Contact.objects.get(pk=contact_id))
    points_earn(member=member, points=700, source="staff", idempotency_key="a11y")
    voucher = reward_redeem(member=member, reward=reward, idempotency_key="a11y-r", staff=owner)
    points_adjust(member=member, points=50, reason="A friend of the family", staff=owner)
    return {
        "member": member.pk,
        "tier": tier.pk,
        "reward": reward.pk,
        "voucher": voucher.code,
        "card": member_card_token(member),
        "referral_code": member.referral_code,
    }


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": RULES}})
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {', '.join(targets)}")
    return found


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_passes_axe_at_both_widths(browser, live_server_port, world, width):
    base = f"http://alpha.localhost:{live_server_port}"
    failures: dict[str, list[str]] = {}
    public = browser.new_context(viewport=WIDTHS[width]).new_page()
    staff = browser.new_context(viewport=WIDTHS[width]).new_page()
    log_in(staff, live_server_port)
    for name, page_spec in PAGES.items():
        page = staff if page_spec.staff else public
        try:
            response = page.goto(base + page_spec.path(world))
        except PlaywrightError as exc:  # e.g. a 405: Chromium refuses to show the answer
            failures[name] = [str(exc).splitlines()[0]]
            continue
        if response is None or response.status >= 400:
            failures[name] = [f"HTTP {response.status if response else '?'}"]
            continue
        page.wait_for_load_state("networkidle")
        if found := _violations(page):
            failures[name] = found
    for path in PUBLIC_PAGES:
        public.goto(f"http://localhost:{live_server_port}{path}")
        if found := _violations(public):
            failures[path] = found
    assert failures == {}, "\n".join(f"{name}: {found}" for name, found in failures.items())
