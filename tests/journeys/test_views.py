"""The journey pages: the list and new journey, the builder (steps, settings, activation,
pause, test run), figures, enrollments, and the contact panel's posted event; viewers read
only, the outsider is sent to log in everywhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.contacts.models import TimelineEvent
from apps.journeys.models import Journey
from tests.conftest import alpha

from .factories import live_journey, reachable_contact, send

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def journey(tenant):
    with alpha():
        return live_journey(steps=[send("s1", text="Your order is ready")])


def urls(journey, contact) -> list[tuple[str, str]]:
    pk = journey.pk
    return [
        ("get", reverse("journeys:journey_list")),
        ("post", reverse("journeys:journey_list")),
        ("get", reverse("journeys:journey_detail", args=[pk])),
        ("post", reverse("journeys:journey_settings", args=[pk])),
        ("post", reverse("journeys:journey_step_save", args=[pk])),
        ("post", reverse("journeys:journey_step_move", args=[pk, "s1"])),
        ("post", reverse("journeys:journey_state", args=[pk])),
        ("post", reverse("journeys:journey_test", args=[pk])),
        ("get", reverse("journeys:journey_figures", args=[pk])),
        ("get", reverse("journeys:enrollment_list", args=[pk])),
        ("get", reverse("journeys:contact_journeys", args=[contact.pk])),
        ("post", reverse("journeys:contact_journeys", args=[contact.pk])),
    ]


def test_the_outsider_is_sent_to_log_in_everywhere(outsider_client, journey):
    with alpha():
        contact = reachable_contact()
    for method, url in urls(journey, contact):
        response = getattr(outsider_client, method)(url, **HTMX)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_viewer_reads_but_changes_nothing(viewer_client, journey):
    with alpha():
        contact = reachable_contact()
    for method, url in urls(journey, contact):
        response = getattr(viewer_client, method)(
            url, {"action": "pause", "type": "order.ready"}, **HTMX
        )
        if method == "get":
            assert response.status_code == 200, url
        else:
            assert response.status_code in (403, 404), url
    with alpha():
        assert Journey.objects.get(pk=journey.pk).status == "active"
        assert not TimelineEvent.objects.filter(type="order.ready").exists()


def test_a_manager_builds_and_activates_a_journey(owner_client, django_assert_max_num_queries):
    response = owner_client.post(reverse("journeys:journey_list"), {"template": ""})
    assert response.status_code == 302
    with alpha():
        journey = Journey.objects.get()
    detail = reverse("journeys:journey_detail", args=[journey.pk])
    save = reverse("journeys:journey_step_save", args=[journey.pk])
    # a send without words is refused, naming the field
    response = owner_client.post(
        save, {"step-type": "send", "step-channel": "email", "step-text": ""}
    )
    assert response.status_code == 400 and "Write the message first." in response.text
    owner_client.post(
        save,
        {
            "step-type": "send",
            "step-channel": "email",
            "step-subject": "Ready",
            "step-text": "Your order is ready",
        },
    )
    owner_client.post(
        save, {"step-type": "wait", "step-wait_mode": "duration", "step-minutes": "60"}
    )
    with django_assert_max_num_queries(20):
        page = owner_client.get(detail)
    assert "Your order is ready" in page.text
    response = owner_client.post(
        reverse("journeys:journey_state", args=[journey.pk]), {"action": "activate"}
    )
    assert response.status_code == 302
    with alpha():
        journey.refresh_from_db()
        assert journey.status == "active" and len(journey.live_version.steps) == 2
    assert (
        owner_client.get(reverse("journeys:journey_figures", args=[journey.pk])).status_code == 200
    )


def test_a_dangling_branch_is_refused_at_activation(owner_client, tenant):
    with alpha():
        from apps.journeys.services import journey_create

        journey = journey_create(
            name="B",
            trigger={"kind": "event", "event_type": "order.ready"},
            steps=[
                {
                    "id": "b",
                    "type": "branch",
                    "config": {"kind": "event", "event_type": "order.ready"},
                }
            ],
        )
    response = owner_client.post(
        reverse("journeys:journey_state", args=[journey.pk]), {"action": "activate"}
    )
    assert response.status_code == 400
    assert "no" in response.text.lower()


def test_staff_post_an_event_from_the_contact_page(staff_client, journey):
    with alpha():
        contact = reachable_contact()
    url = reverse("journeys:contact_journeys", args=[contact.pk])
    response = staff_client.post(url, {"type": "order.ready", "reference": "A-1"}, **HTMX)
    assert response.status_code == 200 and "Recorded" in response.text
    with alpha():
        event = TimelineEvent.objects.get(type="order.ready", contact=contact)
        assert event.properties == {"order_id": "A-1"}


def test_the_trigger_and_rules_are_saved(owner_client, journey):
    url = reverse("journeys:journey_settings", args=[journey.pk])
    data = {
        "settings-name": "Overdue invoices",
        "settings-trigger_kind": "event",
        "settings-event_type": "invoice.overdue",
        "settings-filter_property": "amount",
        "settings-filter_value": "40",
        "settings-offset_days": "0",
        "settings-at": "09:00",
        "settings-entry_rule": "again_after",
        "settings-reentry_days": "30",
        "settings-goal_event": "invoice.paid",
        "settings-goal_days": "20",
        "settings-holdout_percent": "10",
    }
    response = owner_client.post(url, data)

    errors = [
        (name, response.context[name].errors)
        for name in ("settings_form", "step_form", "activate_form", "test_form")
        if response.context
        and response.context.get(name) is not None
        and response.context[name].is_bound
    ]
    assert response.status_code == 302, errors
    with alpha():
        journey.refresh_from_db()
    assert journey.name == "Overdue invoices"
    assert journey.trigger["filters"] == [{"property": "amount", "cmp": "eq", "value": "40"}]
    assert journey.goal == {"event_type": "invoice.paid", "within_days": 20}
    bad = owner_client.post(url, {**data, "settings-trigger_kind": "segment"})
    assert bad.status_code == 400 and "Choose a segment." in bad.text


# --- the step form shows the inputs of the chosen kind --------------------------------------
def _step_inputs() -> list[str]:
    from apps.journeys.forms import StepForm

    return [name for name in StepForm.base_fields if name != "type"]


def test_the_fields_of_each_kind_of_step_and_only_those(owner_client, journey):
    from apps.journeys.registries import step_types

    url = reverse("journeys:journey_step_fields", args=[journey.pk])
    for kind, spec in step_types.items():
        response = owner_client.get(url, {"step-type": kind}, **HTMX)
        assert response.status_code == 200, kind
        for name in _step_inputs():
            assert (f'name="step-{name}"' in response.text) == (name in spec.fields), (kind, name)
    assert owner_client.get(url, {"step-type": "nothing"}, **HTMX).status_code == 404
    # switching kinds keeps what was already chosen
    kept = owner_client.get(url, {"step-type": "offer", "step-channel": "sms"}, **HTMX)
    assert '<option value="sms" selected>' in kept.text


def test_the_step_fields_are_for_managers_of_this_business(outsider_client, viewer_client, journey):
    url = reverse("journeys:journey_step_fields", args=[journey.pk])
    response = outsider_client.get(url, {"step-type": "send"}, **HTMX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert viewer_client.get(url, {"step-type": "send"}, **HTMX).status_code in (403, 404)


def test_the_builder_shows_the_chosen_kind_and_every_input_without_scripts(owner_client, journey):
    page = owner_client.get(reverse("journeys:journey_detail", args=[journey.pk])).text
    shown, _sep, hidden = page.partition("<noscript>")
    shown = shown.split('id="step-fields"', 1)[1]
    hidden = hidden.split("</noscript>", 1)[0]
    assert 'name="step-text"' in shown and 'name="step-minutes"' not in shown
    for name in _step_inputs():  # each input once: the chosen kind's, or the others'
        assert page.count(f'name="step-{name}"') == 1, name
        assert (f'name="step-{name}"' in hidden) != (f'name="step-{name}"' in shown), name


def test_the_builder_saves_each_kind_of_step(owner_client, journey):
    from apps.journeys.registries import step_types
    from tests.contacts.factories import CustomFieldFactory
    from tests.loyalty.factories import RewardFactory
    from tests.webhooks.factories import WebhookEndpointFactory

    with alpha():
        endpoint = WebhookEndpointFactory()
        CustomFieldFactory(key="plan", label="Plan")
        reward = RewardFactory(name="Free polish")
    posts = {
        "wait": {"wait_mode": "duration", "minutes": "60"},
        "branch": {"branch_kind": "event", "event_type": "order.ready", "else_step": "exit"},
        "send": {"channel": "email", "subject": "Hi", "text": "Hello {first_name}"},
        "offer": {"channel": "best"},
        "task": {"title": "Call back"},
        "tag": {"tag": "vip"},
        "field": {"set_field": "custom.plan", "set_value": "gold"},
        "exit": {},
        "loyalty.points": {"points": "20"},
        "loyalty.voucher": {"reward": str(reward.pk)},
        "webhook": {"endpoint": str(endpoint.pk)},
    }
    assert set(posts) == set(step_types.keys())
    save = reverse("journeys:journey_step_save", args=[journey.pk])
    for kind, values in posts.items():
        data = {"step-type": kind} | {f"step-{k}": v for k, v in values.items()}
        response = owner_client.post(save, data)
        assert response.status_code == 302, (kind, response.text[:3000])
    with alpha():
        draft = Journey.objects.get(pk=journey.pk).versions.get(status="draft")
        saved = {step["type"]: step["config"] for step in draft.steps}
    assert saved["webhook"] == {"endpoint_id": endpoint.pk}
    assert saved["field"] == {"field": "custom.plan", "value": "gold"}
    assert saved["tag"]["add"] == ["vip"] and saved["loyalty.points"]["points"] == 20
    assert saved["loyalty.voucher"] == {"reward": reward.pk}


def test_a_turned_off_endpoint_is_refused_by_the_builder(owner_client, journey):
    from apps.webhooks.services import webhook_endpoint_disable
    from tests.webhooks.factories import WebhookEndpointFactory

    with alpha():
        endpoint = webhook_endpoint_disable(endpoint=WebhookEndpointFactory())
    save = reverse("journeys:journey_step_save", args=[journey.pk])
    response = owner_client.post(save, {"step-type": "webhook", "step-endpoint": endpoint.pk})
    assert response.status_code == 400
    assert "This webhook endpoint is turned off" in response.text
    assert 'id="step-endpoint-errors"' in response.text


@pytest.mark.parametrize(
    "minutes, words",
    [
        (0, "0 minutes"),
        (1, "1 minute"),
        (90, "1 hour 30 minutes"),
        (1440, "1 day"),
        (3 * 1440 + 120, "3 days 2 hours"),
        ("not a number", ""),
    ],
)
def test_a_wait_is_written_in_days_hours_and_minutes(minutes, words):
    from apps.journeys.views import duration_words

    assert duration_words(minutes) == words


def test_a_wait_reads_in_the_reader_s_language():
    from django.utils import translation

    from apps.journeys.views import duration_words

    with translation.override("fr"):
        assert duration_words(2 * 1440 + 60) == "2 jours 1 heure"
    with translation.override("es"):
        assert duration_words(1440 + 5) == "1 día 5 minutos"


def test_the_flow_names_the_wait_and_the_segment_of_a_branch(owner_client, tenant):
    from apps.journeys.services import journey_create
    from tests.contacts.factories import SegmentFactory

    from .factories import wait

    with alpha():
        regulars = SegmentFactory(name="Regulars")
        gone = SegmentFactory(name="Gone soon")
        steps = [
            wait("w", 1440 + 90),
            {
                "id": "b",
                "type": "branch",
                "config": {"kind": "segment", "segment_id": regulars.pk},
                "else": "b2",
            },
            {
                "id": "b2",
                "type": "branch",
                "config": {"kind": "segment", "segment_id": gone.pk},
                "else": "s",
            },
            send("s"),
        ]
        journey = journey_create(
            name="Flow", trigger={"kind": "event", "event_type": "order.ready"}, steps=steps
        )
        gone.delete()
    response = owner_client.get(reverse("journeys:journey_detail", args=[journey.pk]))
    assert response.status_code == 200
    assert "1 day 1 hour 30 minutes" in response.text
    assert "in segment “Regulars”?" in response.text
    assert "in a segment that no longer exists?" in response.text
