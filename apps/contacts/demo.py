"""Bright Smile Dental's patients: 2,000 contacts with a year of purchases and events.

Everything goes through the services, so the demo data obeys the same rules as real data.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import User

from .models import CustomField
from .services import (
    consent_set,
    contact_create,
    contact_update,
    events_ingest,
    note_add,
    task_create,
    transaction_record,
)
from .services.rfm import rfm_recompute, rfm_schedule_nightly
from .services.transactions import transaction_hooks_paused

CONTACTS = 2000
FIRST = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Amelia",
    "Benjamin",
    "Harper",
    "Leo",
    "Evelyn",
    "Henry",
    "Aaliyah",
    "Santiago",
    "Priya",
    "Arjun",
    "Mei",
    "Hiroshi",
    "Fatima",
    "Omar",
    "Zainab",
    "Kwame",
    "Chloe",
    "Diego",
    "Valentina",
    "Sebastián",
    "Ana",
    "Luis",
    "Grace",
    "Daniel",
    "Nora",
    "Samuel",
    "Layla",
    "David",
    "Hana",
    "Yusuf",
    "Ingrid",
    "Lars",
    "Siobhan",
    "Connor",
    "Aisha",
    "Tariq",
    "Camila",
    "Mariana",
    "Wei",
    "Jun",
    "Ngozi",
    "Chidi",
    "Olga",
    "Dmitri",
    "Rosa",
    "Marco",
    "Giulia",
    "Luca",
    "Eleni",
    "Nikos",
    "Sara",
    "Jonah",
    "Maya",
    "Ethan",
    "Zoe",
    "Malik",
    "Imani",
    "Ruth",
    "Abdul",
    "Tomás",
    "Lucía",
]
LAST = [
    "Johnson",
    "Williams",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kowalski",
    "Nowak",
    "Patel",
    "Shah",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Okafor",
    "Mensah",
    "Haddad",
    "Khalil",
    "Cohen",
    "Schwartz",
    "O'Brien",
    "Murphy",
    "Rossi",
    "Novak",
    "Silva",
    "Santos",
    "Costa",
    "Yilmaz",
    "Demir",
    "Ivanova",
    "Petrov",
    "Sato",
    "Tanaka",
    "Müller",
    "Schmidt",
    "Dubois",
]
STREETS = [
    "N Clark St",
    "W Belmont Ave",
    "N Halsted St",
    "W Diversey Pkwy",
    "N Broadway",
    "W Armitage Ave",
    "N Lincoln Ave",
    "W Fullerton Ave",
    "N Southport Ave",
    "W Addison St",
    "S Michigan Ave",
    "W Division St",
]
ZIPS = ["60614", "60657", "60613", "60622", "60647", "60618", "60605", "60610"]
AREA_CODES = ["312", "773", "872"]
TAGS = [
    "invisalign",
    "family-plan",
    "whitening",
    "anxious-patient",
    "newsletter",
    "vip",
    "referral",
    "kids",
]
SOURCES = ["website", "referral", "walk-in", "google", "insurance", "instagram"]
SERVICES = [
    ("Check-up and cleaning", Decimal("120.00")),
    ("X-rays", Decimal("85.00")),
    ("Filling", Decimal("210.00")),
    ("Teeth whitening", Decimal("350.00")),
    ("Crown", Decimal("1150.00")),
    ("Root canal", Decimal("980.00")),
    ("Night guard", Decimal("420.00")),
    ("Invisalign stage", Decimal("1500.00")),
]
PAGES = ["/", "/whitening", "/invisalign", "/book", "/insurance", "/team", "/kids", "/emergency"]
INSURERS = ["Delta Dental", "Aetna", "Cigna", "MetLife", "Self-pay"]
NOTES = [
    "Prefers morning appointments before work.",
    "Nervous about needles; numbing gel first helped last time.",
    "Asked about payment plans for the crown.",
    "Brings both kids; book back-to-back slots.",
    "Sensitive to cold on the lower left molar.",
    "Moving to the suburbs in spring; may transfer records.",
]
TASKS = [
    "Call back about the treatment plan",
    "Send the insurance pre-authorisation",
    "Follow up on whitening results",
    "Confirm recall appointment",
]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def demo_seed(*, tenant, rng) -> None:
    now = timezone.now()
    team = list(User.objects.filter(is_active=True).order_by("pk"))
    CustomField.objects.create(
        key="insurance_provider", label="Insurance provider", type="choice", choices=INSURERS
    )
    CustomField.objects.create(key="next_recall", label="Next recall", type="date")
    CustomField.objects.create(key="treatment_plan", label="Treatment plan", type="text")

    phones = rng.sample(range(10000), CONTACTS)
    contacts = []
    for n in range(CONTACTS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{_ascii(first)}.{_ascii(last).replace(chr(39), '')}{n}@" + rng.choice(
            ["gmail.example", "outlook.example", "yahoo.example", "icloud.example"]
        )
        recall = (now + dt.timedelta(days=rng.randint(-60, 180))).date()
        contact = contact_create(
            first_name=first,
            last_name=last,
            email=email if rng.random() > 0.05 else "",
            phone=f"+1{rng.choice(AREA_CODES)}555{phones[n]:04d}" if rng.random() > 0.08 else "",
            address_line=f"{rng.randint(100, 4999)} {rng.choice(STREETS)}",
            city="Chicago",
            postal_code=rng.choice(ZIPS),
            country="US",
            birthday=dt.date(rng.randint(1945, 2018), rng.randint(1, 12), rng.randint(1, 28)),
            preferred_channel=rng.choice(["sms", "sms", "email", "voice", ""]),
            tags=rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2, 3])),
            owner=rng.choice(team).pk if rng.random() < 0.4 else None,
            source=rng.choice(SOURCES),
            custom={"insurance_provider": rng.choice(INSURERS), "next_recall": recall.isoformat()},
        )
        contacts.append(contact)

    for contact in contacts:
        if contact.email and rng.random() < 0.7:
            consent_set(
                contact=contact,
                channel="email",
                method="form",
                status="opted_in" if rng.random() < 0.85 else "opted_out",
            )
        if contact.phone and rng.random() < 0.6:
            consent_set(contact=contact, channel="sms", method="form", status="opted_in")
            if rng.random() < 0.08:
                consent_set(
                    contact=contact, channel="sms", method="reply", status="opted_out", note="STOP"
                )

    lapsed: list = []
    with transaction_hooks_paused():  # RFM is computed once, below
        _purchases(contacts, rng, now, lapsed)
    rfm_recompute()
    rfm_schedule_nightly()

    for contact in lapsed:
        contact_update(contact=contact, lifecycle_stage="lapsed")

    batch = []
    for n, contact in enumerate(contacts):
        for k in range(rng.choice([0, 1, 2, 4, 8])):
            batch.append(
                {
                    "contact_id": contact.pk,
                    "type": rng.choice(
                        ["page.viewed", "page.viewed", "page.viewed", "form.submitted"]
                    ),
                    "occurred_at": (
                        now - dt.timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 1440))
                    ).isoformat(),
                    "properties": {"path": rng.choice(PAGES)},
                    "client_event_id": f"demo-{n}-{k}",
                }
            )
            if len(batch) == 1000:
                events_ingest(events=batch, source="website")
                batch = []
    if batch:
        events_ingest(events=batch, source="website")

    for contact in rng.sample(contacts, 150):
        note_add(contact=contact, text=rng.choice(NOTES), actor=rng.choice(team))
    for contact in rng.sample(contacts, 40):
        task_create(
            contact=contact,
            title=rng.choice(TASKS),
            assignee=rng.choice(team),
            due_date=(now + dt.timedelta(days=rng.randint(-5, 14))).date(),
            created_by=team[0],
        )


def _purchases(contacts, rng, now, lapsed: list) -> None:
    """Up to a year of visits per patient; those not seen for nine months become lapsed."""
    ref = 0
    for contact in contacts:
        if rng.random() < 0.25:
            continue  # a lead who never bought
        visits = rng.choice([1, 1, 2, 2, 3, 4, 6])
        last_visit_days = rng.randint(1, 360)
        if last_visit_days > 270:
            lapsed.append(contact)
        for visit in range(visits):
            days_ago = min(364, last_visit_days + visit * rng.randint(30, 120))
            name, price = rng.choice(SERVICES)
            ref += 1
            transaction_record(
                contact=contact,
                amount=price,
                currency="USD",
                external_ref=f"BSD-{ref:06d}",
                occurred_at=now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8)),
                items=[{"name": name, "price": str(price)}],
                channel="online" if rng.random() < 0.15 else "store",
            )
