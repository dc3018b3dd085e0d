"""The API answers as its OpenAPI schema says, for whatever a client sends.

Schemathesis generates requests for every operation of the schema the project serves, valid
and invalid (its coverage phase: boundary values and each kind of wrong input; its fuzzing
phase: MAX_EXAMPLES random ones), and sends them to the whole project served on a free port
against the test database. Every answer is checked: never a server error, a documented status
code, the documented content type and headers, a body the schema describes.

Each operation starts from the same small business, committed and set up anew (services,
staff, contacts, appointments and the rest, ids from 1; emptied afterwards), so what one
operation deletes or erases no other misses. Deterministic: a fixed seed, no example
database. Run it alone with `pytest -m fuzz`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections.abc import Iterator

import hypothesis
import pytest
import requests
import schemathesis
from django.apps import apps as django_apps
from django.core.management.color import no_style
from django.db import connection
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from oauth2_provider.models import get_application_model
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.services import api_key_create
from apps.campaigns.services import campaign_create
from apps.contacts.services import segment_create, transaction_record
from tests.accounts.factories import InvitationFactory, oauth_token_create
from tests.appointments.factories import (
    AppointmentFactory,
    RoomFactory,
    ServiceFactory,
    StaffMemberFactory,
    WaitlistEntryFactory,
    week_hours,
)
from tests.conftest import host_of
from tests.contacts.factories import (
    ContactFactory,
    CustomFieldFactory,
    TaskFactory,
    TimelineEventFactory,
)
from tests.helpers.live_server import live_server
from tests.messaging.factories import MessageFactory
from tests.webhooks.factories import (
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.fuzz

# `make fuzz` runs longer (FUZZ_MAX_EXAMPLES) and every operation with both credentials.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))  # per operation and phase
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "25"))  # scenarios
CREDENTIALS = ["key", "oauth"] if os.environ.get("FUZZ_CREDENTIALS") == "both" else ["key"]
SEED = 20260704
FILLED_APPS = {
    "accounts",
    "contacts",
    "appointments",
    "messaging",
    "webhooks",
    "feedback",
    "loyalty",
}
REQUESTS = itertools.count()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _ids_from_one() -> None:
    """The business's empty tables count their ids from 1 again (rows go when a test ends, the
    sequences' counts stay)."""
    models = [m for m in django_apps.get_models() if m._meta.app_label in FILLED_APPS]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        cursor.execute("; ".join(statements))


def _business_create() -> None:
    """A small business whose rows have the ids a generator tries first (1, 2, 3...)."""
    _ids_from_one()
    staff = [StaffMemberFactory() for _ in range(3)]
    for member in staff:
        week_hours(member, dt.time(8), dt.time(18))
    room = RoomFactory()
    services = [
        ServiceFactory(staff=staff),
        ServiceFactory(staff=staff[:1], rooms=[room]),
        ServiceFactory(staff=staff[1:], duration_minutes=60),
    ]
    contacts = [ContactFactory() for _ in range(6)]
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    for index, contact in enumerate(contacts[:4]):
        AppointmentFactory(
            contact=contact,
            staff=staff[index % 3],
            service=services[0],
            starts_at=start + dt.timedelta(days=index + 1, hours=index),
        )
        TimelineEventFactory(contact=contact)
        TaskFactory(contact=contact)
        MessageFactory(contact=contact)
        transaction_record(contact=contact, amount=40 + index, external_ref=f"pos-{index}")
    for contact in contacts[:2]:
        WaitlistEntryFactory(contact=contact, service=services[0])
    for _ in range(2):
        CustomFieldFactory()
    segment_create(
        name="Berliners",
        rules={"op": "and", "rules": [{"field": "city", "cmp": "eq", "value": "Berlin"}]},
    )
    hand_picked = segment_create(name="Hand-picked", kind="static")
    campaign_create(name="Newsletter", segments=[hand_picked], variants=[{"subject": "News"}])
    InvitationFactory()
    endpoints = [WebhookEndpointFactory(url=f"http://127.0.0.1:9/hook{n}") for n in range(2)]
    for index, contact in enumerate(contacts[:4]):
        event = TimelineEventFactory(contact=contact, type="note.added")
        delivery = WebhookDeliveryFactory(endpoint=endpoints[index % 2], event=event)
        WebhookAttemptFactory(delivery=delivery)
    _journeys_create(contacts)
    _feedback_create(contacts)
    _loyalty_create(contacts)


def _journeys_create(contacts) -> None:
    """An active journey with a contact inside, a draft one and an offer."""
    from apps.journeys.services import (
        enrollment_enter,
        journey_activate,
        journey_create,
        offer_save,
    )

    steps = [{"id": "w", "type": "wait", "config": {"mode": "duration", "minutes": 60}}]
    live = journey_activate(
        journey=journey_create(
            name="Orders", trigger={"kind": "event", "event_type": "order.ready"}, steps=steps
        )
    )
    journey_create(
        name="Draft", trigger={"kind": "event", "event_type": "order.ready"}, steps=steps
    )
    enrollment_enter(journey=live, contact=contacts[0], properties={"order_id": "1"})
    offer_save(name="Plan", text="Pay in parts", accepted_event="invoice.paid")


def _feedback_create(contacts) -> None:
    """A survey, a sent invitation and one answered with a bad score (its case), a cause."""
    from apps.feedback.services.invitations import invitation_create, invitation_send
    from apps.feedback.services.responses import response_submit
    from tests.feedback.factories import RootCauseFactory, SurveyFactory

    survey = SurveyFactory()
    RootCauseFactory()
    invitation_send(invitation=invitation_create(survey=survey, contact=contacts[4]))
    answered = invitation_send(invitation=invitation_create(survey=survey, contact=contacts[5]))
    response_submit(invitation=answered, score=2, comment="Long wait")


def _loyalty_create(contacts) -> None:
    """Members with points, rewards, a voucher of each state and a referral."""
    from apps.loyalty.services.ledger import member_enrol, points_earn
    from apps.loyalty.services.referrals import referral_create
    from apps.loyalty.services.vouchers import reward_redeem, voucher_redeem
    from tests.loyalty.factories import RewardFactory, TierFactory
    from tests.loyalty.helpers import program_set

    program_set(referrals_enabled=True, tiers_enabled=True, return_window_days=0)
    TierFactory(name="Silver", threshold=100)
    rewards = [RewardFactory(cost_points=100), RewardFactory(cost_points=50, stock=5)]
    members = [member_enrol(contact=contact) for contact in contacts[:3]]
    for member in members:
        points_earn(member=member, points=5000, source="staff", idempotency_key=f"f{member.pk}")
        for index, reward in enumerate(rewards):
            voucher = reward_redeem(
                member=member, reward=reward, idempotency_key=f"f{member.pk}:{index}"
            )
            if index:
                voucher_redeem(code=voucher.code)
    referral_create(code=members[0].referral_code, referred=contacts[5])


def _schema_document() -> dict:
    """The document /api/schema/ serves (test_the_fuzzed_schema_is_the_one_served compares):
    made in process, since test items are collected before any server runs."""
    document = SchemaGenerator(urlconf="cxsuite.urls_tenant").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


DOCUMENT = _schema_document()
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "with-security-parameters": False,
            },
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


def _ids_folded(case) -> None:
    """Generated ids are 0 or far above the business's few: fold the ones that are numbers
    onto 1 to 8, so that a request finds a real object more often than not."""
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, str) and value.isascii() and value.isdigit():
            case.path_parameters[name] = str(int(value) % 8 + 1)
        elif type(value) is int and value >= 0:
            case.path_parameters[name] = value % 8 + 1


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker) -> Iterator[str]:
    with django_db_blocker.unblock(), live_server() as port:
        yield f"http://127.0.0.1:{port}"


def _headers(tenant, credential: str) -> dict[str, str]:
    """Headers that reach the business with a read-and-write API key, or with a partner app's
    OAuth token granted every scope."""
    if credential == "oauth":
        raw = oauth_token_create(["read", "write"])
    else:
        _key, raw = api_key_create(name="fuzz", scopes=["read", "write"], created_by=None)
    return {"Host": host_of(tenant), "Authorization": f"Bearer {raw}"}


@pytest.fixture(params=CREDENTIALS)
def business(request, committed_tenant, settings) -> Iterator[dict[str, str]]:
    """The business, set up anew for each operation, and the headers that reach it."""
    settings.API_RATE_LIMIT = 1_000_000  # an operation's examples are more than a window allows
    _business_create()
    yield _headers(committed_tenant, request.param)
    get_application_model().objects.all().delete()


@schema.parametrize()
@hypothesis.settings(
    # The business is set up once per operation, not per example, on purpose; and a loaded
    # machine is no reason to fail.
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ]
)
def test_operation_answers_as_documented(case, server, business):
    _ids_folded(case)
    key = (case.headers or {}).get("Idempotency-Key")
    if key is not None:  # a client's retry repeats its key; a new request gets a new one
        case.headers["Idempotency-Key"] = f"{key}-{next(REQUESTS)}"
    # A new connection per request: keep-alive with this server costs 40 ms a request.
    response = case.call_and_validate(base_url=server, headers=business, checks=CHECKS)
    # the checks above raise on a failure; said here too, for the reader
    assert response.status_code < 500, response.text[:500]


def test_the_fuzzed_schema_is_the_one_served(server, business):
    served = requests.get(f"{server}/api/schema/?format=json", headers=business, timeout=30)
    assert served.status_code == 200
    assert served.json() == DOCUMENT


# --- stateful: create, then read, update, delete what was made (the schema's OpenAPI links) ----
stateful_schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "with-security-parameters": False,
            },
            # the links the schema declares, and no others guessed from names or answers
            "phases": {"stateful": {"enabled": True, "inference": {"algorithms": []}}},
        }
    ),
)


def test_every_create_declares_its_links():
    """Each create's 201 answer links to the read, update, delete and actions of its object."""
    creates = {
        url: item["post"]["responses"]["201"]
        for url, item in DOCUMENT["paths"].items()
        if "201" in item.get("post", {}).get("responses", {})
        and f"{url}{{id}}/" in DOCUMENT["paths"]
    }
    assert len(creates) >= 6
    for url, answer in creates.items():
        linked = {link["operationId"] for link in answer["links"].values()}
        item = DOCUMENT["paths"][f"{url}{{id}}/"]
        assert {item[m]["operationId"] for m in ("get", "patch", "put", "delete") if m in item} <= (
            linked
        ), url


@pytest.mark.parametrize("credential", ["oauth"])
def test_linked_operations_answer_as_documented(server, committed_tenant, settings, credential):
    """Scenarios that create an object and follow its links (read, change, act, delete), with a
    partner app's OAuth token; every answer is checked as above."""
    settings.API_RATE_LIMIT = 1_000_000
    _business_create()
    headers = _headers(committed_tenant, credential)
    seen: list[str] = []

    class Scenarios(stateful_schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case):
            _ids_folded(case)
            key = (case.headers or {}).get("Idempotency-Key")
            if key is not None:
                case.headers["Idempotency-Key"] = f"{key}-{next(REQUESTS)}"

        def get_call_kwargs(self, case):
            return {"base_url": server, "headers": headers}

        def after_call(self, response, case):
            seen.append(case.operation.label)
            assert response.status_code < 500, response.text[:500]

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    try:
        Scenarios.run(
            settings=hypothesis.settings(
                max_examples=STATEFUL_EXAMPLES,
                stateful_step_count=6,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(hypothesis.HealthCheck),
            )
        )
    finally:
        get_application_model().objects.all().delete()
    assert any(label.startswith("POST") for label in seen)
