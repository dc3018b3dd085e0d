import pytest
from django.core.exceptions import ValidationError

from apps.contacts.models import Contact, CustomField
from apps.contacts.services import (
    contact_create,
    contact_update,
    custom_field_create,
    custom_field_delete,
    custom_field_update,
)
from tests.contacts.factories import ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db


def error_fields(exc_info) -> set[str]:
    return set(exc_info.value.message_dict)


def test_create_stores_a_text_field(tenant):
    field = custom_field_create(key="favourite_colour", label=" Colour ", type="text")
    field.refresh_from_db()
    assert (field.key, field.label, field.type, field.choices, field.required) == (
        "favourite_colour",
        "Colour",
        "text",
        [],
        False,
    )


def test_create_stores_the_choices_of_a_choice_field(tenant):
    field = custom_field_create(
        key="plan", label="Plan", type="choice", choices=[" basic", "premium "], required=True
    )
    assert CustomField.objects.get(pk=field.pk).choices == ["basic", "premium"]
    assert field.required is True


@pytest.mark.parametrize(
    "key", ["", "Plan", "1plan", "plan-type", "plan type", "ä", "x" * 41, "custom.plan"]
)
def test_create_refuses_a_key_that_is_not_a_lowercase_slug(tenant, key):
    with pytest.raises(ValidationError) as exc_info:
        custom_field_create(key=key, label="Plan", type="text")
    assert error_fields(exc_info) == {"key"}
    assert not CustomField.objects.exists()


def test_create_refuses_a_key_already_used(tenant):
    CustomFieldFactory(key="plan")
    with pytest.raises(ValidationError) as exc_info:
        custom_field_create(key="plan", label="Other plan", type="text")
    assert error_fields(exc_info) == {"key"}
    assert CustomField.objects.count() == 1


def test_create_refuses_an_unknown_type(tenant):
    with pytest.raises(ValidationError) as exc_info:
        custom_field_create(key="plan", label="Plan", type="colour")
    assert error_fields(exc_info) == {"type"}


@pytest.mark.parametrize("choices", [None, [], ["a", "a"], ["a", " "], ["x" * 81]])
def test_create_refuses_a_choice_field_without_sound_choices(tenant, choices):
    with pytest.raises(ValidationError) as exc_info:
        custom_field_create(key="plan", label="Plan", type="choice", choices=choices)
    assert error_fields(exc_info) == {"choices"}


def test_create_refuses_choices_on_a_field_that_is_not_a_choice(tenant):
    with pytest.raises(ValidationError) as exc_info:
        custom_field_create(key="renewal", label="Renewal", type="date", choices=["a"])
    assert error_fields(exc_info) == {"choices"}


def test_create_names_every_bad_input_at_once(tenant):
    with pytest.raises(ValidationError) as exc_info:
        custom_field_create(key="Bad Key", label="", type="choice", choices=[])
    assert error_fields(exc_info) == {"key", "label", "choices"}


def test_a_new_field_validates_contact_values_from_then_on(tenant):
    custom_field_create(key="renewal", label="Renewal", type="date")
    contact = contact_create(first_name="Ada", custom={"renewal": "2026-03-01"})
    assert contact.custom == {"renewal": "2026-03-01"}
    with pytest.raises(ValidationError) as exc_info:
        contact_update(contact=contact, custom={"renewal": "soon"})
    assert error_fields(exc_info) == {"custom.renewal"}


def test_update_changes_label_choices_and_required_but_keeps_key_and_type(tenant):
    field = CustomFieldFactory(key="plan", type="choice", choices=["basic"])
    updated = custom_field_update(
        field=field, label="Membership plan", choices=["basic", "gold"], required=True
    )
    field.refresh_from_db()
    assert (field.key, field.type, field.label, field.choices, field.required) == (
        "plan",
        "choice",
        "Membership plan",
        ["basic", "gold"],
        True,
    )
    assert updated.label == "Membership plan"


def test_update_with_nothing_given_changes_nothing(tenant):
    field = CustomFieldFactory(label="Plan", required=True)
    custom_field_update(field=field)
    field.refresh_from_db()
    assert (field.label, field.required) == ("Plan", True)


def test_update_refuses_an_empty_label_and_keeps_the_old_one(tenant):
    field = CustomFieldFactory(label="Plan")
    with pytest.raises(ValidationError) as exc_info:
        custom_field_update(field=field, label="  ", required=True)
    assert error_fields(exc_info) == {"label"}
    field.refresh_from_db()
    assert (field.label, field.required) == ("Plan", False)


def test_update_refuses_to_empty_the_choices_of_a_choice_field(tenant):
    field = CustomFieldFactory(type="choice", choices=["basic"])
    with pytest.raises(ValidationError) as exc_info:
        custom_field_update(field=field, choices=[])
    assert error_fields(exc_info) == {"choices"}
    field.refresh_from_db()
    assert field.choices == ["basic"]


def test_delete_removes_the_field_and_its_values_from_every_contact(tenant):
    field = CustomFieldFactory(key="plan")
    CustomFieldFactory(key="shoe_size", type="number")
    with_value = ContactFactory(custom={"plan": "gold", "shoe_size": 42})
    without = ContactFactory(custom={"shoe_size": 40})
    before = without.updated
    assert custom_field_delete(field=field) == 1
    assert not CustomField.objects.filter(key="plan").exists()
    assert Contact.objects.get(pk=with_value.pk).custom == {"shoe_size": 42}
    without.refresh_from_db()
    assert without.custom == {"shoe_size": 40}
    assert without.updated == before


def test_a_field_created_again_after_delete_does_not_inherit_old_values(tenant):
    field = CustomFieldFactory(key="plan", type="text")
    contact = ContactFactory(custom={"plan": "gold"})
    custom_field_delete(field=field)
    custom_field_create(key="plan", label="Plan", type="number")
    contact.refresh_from_db()
    assert "plan" not in contact.custom
