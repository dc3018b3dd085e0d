"""Every form refuses control characters in what was typed, as an error on that field, before
anything cleans or stores it; and numbers too large to convert are field errors too."""

from __future__ import annotations

import importlib
import pkgutil
import re
import time

import pytest
from django import forms

import apps
from apps.contacts.forms import ContactFilterForm
from apps.contacts.models import Contact
from cxsuite.lib.forms import CleanTextFormMixin
from tests.conftest import PASSWORD, alpha, owner_email
from tests.contacts.factories import CustomFieldFactory


def _project_forms() -> list[type]:
    for module in pkgutil.walk_packages(apps.__path__, "apps."):
        if re.search(r"\.(forms|views)\b", module.name):
            importlib.import_module(module.name)
    found, pending = [], [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("apps.") and not any(
            sub.__module__.startswith("apps.") for sub in cls.__subclasses__()
        ):
            found.append(cls)  # a form a view builds; shared bases are checked through them
    return found


def test_every_form_of_the_project_checks_the_characters():
    found = _project_forms()
    assert len(found) > 30
    missing = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in found
        if not issubclass(cls, CleanTextFormMixin)
    ]
    assert missing == []


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x9b"])
def test_a_control_character_is_an_error_on_its_field(char):
    form = ContactFilterForm(data={"q": f"ada{char}", "tag": "vip"})
    assert not form.is_valid()
    assert list(form.errors) == ["q"]
    assert f"U+{ord(char):04X}" in form.errors["q"][0]


def test_tabs_and_line_breaks_are_text():
    form = ContactFilterForm(data={"q": "ada\tlovelace\r\n"})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_the_login_form_with_a_nul_shows_a_field_error_not_a_500(tenant_client):
    response = tenant_client.post(
        "/login/", {"username": f"{owner_email('alpha')}\x00", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert re.search(r'id="id_username-errors"|id="username-errors"', response.content.decode())
    assert "U+0000" in response.content.decode()
    assert "_auth_user_id" not in tenant_client.session


@pytest.mark.django_db
def test_the_contact_form_with_control_characters_keeps_nothing(staff_client):
    response = staff_client.post(
        "/contacts/new/",
        {"first_name": "Ada\x00", "city": "Ber\x07lin", "lifecycle_stage": "lead"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(
        r'id="first_name-errors"[^>]*><ul class="errors"><li>Remove the character U\+0000', content
    )
    assert re.search(
        r'id="city-errors"[^>]*><ul class="errors"><li>Remove the character U\+0007', content
    )
    with alpha():
        assert not Contact.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["1e5000", "1e1000000"])
def test_a_huge_number_in_a_number_field_is_a_quick_field_error(staff_client, number):
    CustomFieldFactory(key="visits", label="Visits", type="number")
    started = time.perf_counter()
    response = staff_client.post(
        "/contacts/new/", {"first_name": "Ada", "lifecycle_stage": "lead", "custom_visits": number}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(
        r'id="custom_visits-errors"[^>]*><ul class="errors"><li>Use a number with at most', content
    )
    assert elapsed < 0.5  # converting 1e1000000 to an integer alone took seconds
    with alpha():
        assert not Contact.objects.exists()
