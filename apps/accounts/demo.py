"""Demo team for Bright Smile Dental: a manager, front desk, hygienists, a viewer."""

from .models import Invitation, Role
from .services import api_key_create, user_create

TEAM = [
    ("Daniel Okafor", "daniel@brightsmile.example", Role.MANAGER),
    ("Sofía Ramírez", "sofia@brightsmile.example", Role.STAFF),
    ("Hannah Schmidt", "hannah@brightsmile.example", Role.STAFF),
    ("Kenji Watanabe", "kenji@brightsmile.example", Role.STAFF),
    ("Amara Nwosu", "amara@brightsmile.example", Role.VIEWER),
]


def demo_seed(*, tenant, rng) -> None:
    for name, email, role in TEAM:
        user_create(email=email, name=name, password="smile-demo-2026", role=role)
    Invitation.objects.create(email="leah.cohen@brightsmile.example", role=Role.STAFF)
    api_key_create(name="Website booking widget", scopes=["read", "write"], created_by=None)
