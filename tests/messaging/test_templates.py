"""Templates: variables checked when saved, language choice, shipped defaults, SMS segments,
and the Messages → Templates pages."""

import pytest
from django.core.exceptions import ValidationError

from apps.messaging.models import Template
from apps.messaging.registries import purposes
from apps.messaging.services.templates import (
    purpose_variables,
    sms_segments,
    template_delete,
    template_render,
    template_save,
    template_validate,
    template_variables,
)
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory, CustomFieldFactory
from tests.messaging.factories import TemplateFactory

pytestmark = pytest.mark.django_db


def _save(**overrides):
    values = dict(
        purpose="appointment_reminder",
        channel="sms",
        language="en",
        subject="",
        body="Hi {{ contact.first_name }}, see you {{ appointment.starts_at }}.",
    )
    return template_save(**{**values, **overrides})


# --- variables and validation -----------------------------------------------------------------
def test_variables_are_extracted_with_filters_and_filter_arguments():
    source = (
        'Hi {{ contact.first_name|default:contact.name }} {{ "literal" }} {{ 3 }} '
        "{{ appointment.starts_at|upper }} {{ business.name }}"
    )
    assert template_variables(source) == {
        "contact.first_name",
        "contact.name",
        "appointment.starts_at",
        "business.name",
    }


def test_unknown_variable_is_rejected_naming_the_field_and_the_names(tenant):
    with pytest.raises(ValidationError) as caught:
        _save(body="Hi {{ contact.nickname }} {{ voucher.code }}")
    message = " ".join(caught.value.message_dict["body"])
    assert "contact.nickname" in message and "voucher.code" in message
    with pytest.raises(ValidationError) as caught:
        _save(channel="email", subject="For {{ invoice.amount }}")
    assert set(caught.value.message_dict) == {"subject"}
    assert not Template.objects.exists()


def test_syntax_errors_and_tags_are_refused_on_the_field(tenant):
    for body in [
        "Hi {{ contact.first_name|nosuchfilter }}",
        "{% load static %}x",
        "{% if contact.first_name %}x{% endif %}",
        "Hi {{ contact.first_name ",
    ]:
        with pytest.raises(ValidationError) as caught:
            _save(body=body)
        assert "body" in caught.value.message_dict, body


def test_email_needs_a_subject_and_everything_needs_a_body(tenant):
    with pytest.raises(ValidationError) as caught:
        _save(channel="email", subject="  ", body=" ")
    assert set(caught.value.message_dict) == {"subject", "body"}


def test_purpose_channel_and_language_are_checked(tenant):
    with pytest.raises(ValidationError) as caught:
        _save(purpose="nope", channel="fax", language="xx")
    assert set(caught.value.message_dict) >= {"purpose", "channel", "language"}


def test_custom_fields_become_variables(tenant):
    CustomFieldFactory(key="insurer")
    assert "contact.custom.insurer" in purpose_variables("voucher")
    template = _save(body="Your insurer {{ contact.custom.insurer }} is on file.")
    contact = ContactFactory(custom={"insurer": "Aetna"})
    rendered = template_render(purpose=template.purpose, channel="sms", contact=contact)
    assert rendered.body == "Your insurer Aetna is on file."


def test_save_upserts_on_purpose_channel_language_and_sms_drops_subject(tenant):
    first = _save(subject="ignored")
    second = _save(body="Changed {{ contact.first_name }}")
    assert first.pk == second.pk
    assert Template.objects.get().body == "Changed {{ contact.first_name }}"
    assert Template.objects.get().subject == ""
    assert template_delete(purpose="appointment_reminder", channel="sms", language="en")
    assert not Template.objects.exists()


# --- rendering and language choice ------------------------------------------------------------
def test_language_falls_back_from_contact_to_business_to_english(tenant):
    for lang in ["fr", "es"]:
        TemplateFactory(language=lang, body=f"{lang} {{{{ contact.first_name }}}}")
    TemplateFactory(language="de", body="de")
    contact = ContactFactory(first_name="Ana", language="es")
    assert (
        template_render(purpose="appointment_reminder", channel="sms", contact=contact).body
        == "es Ana"
    )
    contact.language = "it"  # nothing in Italian: the business default (German) applies
    tenant.language = "de"
    assert (
        template_render(purpose="appointment_reminder", channel="sms", contact=contact).language
        == "de"
    )
    tenant.language = "pt"  # neither: English (the shipped default)
    rendered = template_render(purpose="appointment_reminder", channel="sms", contact=contact)
    assert rendered.language == "en"
    assert rendered.body.startswith("Hi Ana, a reminder from Alpha Dental")
    tenant.language = "en"


def test_stored_wording_overrides_only_its_own_language(tenant):
    TemplateFactory(language="en", body="Own wording")
    french = ContactFactory(language="fr-CA", first_name="Luc")
    rendered = template_render(purpose="appointment_reminder", channel="sms", contact=french)
    assert rendered.language == "fr" and rendered.body.startswith("Bonjour Luc")
    english = ContactFactory(language="en")
    assert (
        template_render(purpose="appointment_reminder", channel="sms", contact=english).body
        == "Own wording"
    )


def test_render_fills_context_and_leaves_missing_values_empty(tenant):
    contact = ContactFactory(first_name="Mia", language="en")
    rendered = template_render(
        purpose="payment_reminder",
        channel="email",
        contact=contact,
        context={"invoice": {"amount": "€40", "due_date": "1 May", "pay_link": "https://p/x"}},
    )
    assert rendered.subject == "A gentle reminder about your invoice"
    assert "we know things come up" in rendered.body.lower()
    assert "€40" in rendered.body and "https://p/x" in rendered.body
    assert rendered.sms_segments == 0
    sms = template_render(purpose="outage_notice", channel="sms", contact=contact)
    assert "interrupted in ." in sms.body and sms.sms_segments == 1


def test_rendering_never_escapes_or_runs_methods(tenant):
    contact = ContactFactory(first_name="<b>O'Neil & Co</b>", language="en")
    TemplateFactory(body="{{ contact.first_name }}")
    body = template_render(purpose="appointment_reminder", channel="sms", contact=contact).body
    assert body == "<b>O'Neil & Co</b>"


# --- shipped defaults -------------------------------------------------------------------------
@pytest.mark.parametrize("purpose", sorted(purposes))
def test_every_purpose_ships_english_french_and_spanish(purpose):
    for channel in ["sms", "email"]:
        for lang in ["en", "fr", "es"]:
            assert (channel, lang) in purposes[purpose].defaults
    if purpose != "sms_stop_confirmation":  # only ever a text
        assert ("voice", "en") in purposes[purpose].defaults


def test_every_shipped_default_passes_the_validator_and_renders(tenant):
    contact = ContactFactory(first_name="Zoe", language="en")
    shipped = [
        (purpose, channel, lang, subject, body)
        for purpose, spec in purposes.items()
        for (channel, lang), (subject, body) in spec.defaults.items()
    ]
    assert len(shipped) >= 60
    for purpose, channel, lang, subject, body in shipped:
        template_validate(
            purpose=purpose,
            channel=channel,
            language=lang,
            subject=subject,
            body=body,
            allowed=set(purposes[purpose].variables),
        )
        if channel == "email":
            assert "{{ contact.first_name" in body
        if purposes[purpose].category == "marketing":
            marker = "unsubscribe_link" if channel == "email" else "STOP"
            assert channel == "voice" or marker in body, (purpose, channel, lang)
    rendered = template_render(purpose="sms_stop_confirmation", channel="sms", contact=contact)
    assert "You are unsubscribed" in rendered.body


# --- SMS segments -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("é" * 160, 1),  # é is in the GSM alphabet
        ("€" * 80, 1),
        ("€" * 81, 2),  # extension characters count twice
        ("ê" * 70, 1),
        ("ê" * 71, 2),
        ("ê" * 134, 2),
        ("ê" * 135, 3),  # UCS-2
        ("😀" * 35, 1),
        ("😀" * 36, 2),  # an emoji is two UTF-16 units
    ],
)
def test_sms_segments_count_gsm_and_unicode(text, segments):
    assert sms_segments(text) == segments


# --- pages ------------------------------------------------------------------------------------
LIST = "/messages/templates/"
EDIT = "/messages/templates/edit/?purpose=appointment_reminder&channel=sms&language=fr"
PREVIEW = "/messages/templates/preview/"
KEY = {"purpose": "appointment_reminder", "channel": "sms", "language": "fr"}


def test_list_shows_own_and_default_variants_with_bounded_queries(
    staff_client, tenant, django_assert_max_num_queries
):
    TemplateFactory(purpose="voucher", channel="email", language="de", subject="S", body="B")
    with django_assert_max_num_queries(8):
        response = staff_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    for purpose in purposes.values():
        assert str(purpose.label) in html
    assert "DE · yours" in html and "FR · default" in html
    assert "purpose=voucher&amp;channel=email&amp;language=de" in html


def test_editor_shows_the_default_and_a_preview_for_the_first_contact(
    staff_client, tenant, django_assert_max_num_queries
):
    for _n in range(3):
        ContactFactory()
    first = ContactFactory(first_name="Aaron", last_name="Aa", language="fr")
    with django_assert_max_num_queries(10):
        response = staff_client.get(EDIT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bonjour {{ contact.first_name }}" in html  # the shipped wording in the textarea
    assert "Bonjour Aaron, rappel de Alpha Dental" in html  # previewed for the first contact
    assert "SMS" in html and "characters" in html
    assert response.context["form"]["contact"].value() == first.pk
    assert "Save" not in html  # staff read the wording; managers change it


def test_editor_404s_on_unknown_purpose_channel_or_language(staff_client):
    for query in [
        "purpose=nope&channel=sms&language=en",
        "purpose=voucher&channel=fax&language=en",
        "purpose=voucher&channel=sms&language=xx",
        "",
    ]:
        assert staff_client.get(f"/messages/templates/edit/?{query}").status_code == 404


def test_preview_partial_renders_the_draft_for_the_chosen_contact(staff_client, tenant):
    ContactFactory(first_name="Zed", last_name="Zz")
    chosen = ContactFactory(first_name="Élodie", last_name="Aa")
    draft = {
        **KEY,
        "body": "Salut {{ contact.first_name }} 😀 {{ appointment.service }}",
        "contact": chosen.pk,
    }
    response = staff_client.post(PREVIEW, draft, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="template-preview"') and "<html" not in html
    assert "Salut Élodie 😀 Check-up" in html
    assert "1 SMS" in html
    response = staff_client.post(PREVIEW, {**draft, "body": "{{ contact.nickname }}"})
    assert "contact.nickname" in response.content.decode()
    with alpha():
        assert not Template.objects.exists()  # a preview never saves


def test_manager_saves_and_errors_are_shown_on_the_field(manager_client, tenant):
    response = manager_client.post(EDIT, {**KEY, "body": "Oui {{ contact.surname }}"})
    assert response.status_code == 200
    assert "contact.surname" in " ".join(response.context["form"].errors["body"])
    response = manager_client.post(EDIT, {**KEY, "body": "Oui {{ contact.first_name }} !"})
    assert response.status_code == 302
    with alpha():
        assert Template.objects.get(language="fr").body == "Oui {{ contact.first_name }} !"
    response = manager_client.post(EDIT, {**KEY, "action": "reset"})
    assert response.status_code == 302
    with alpha():
        assert not Template.objects.exists()


def test_email_editor_requires_a_subject(manager_client, tenant):
    url = "/messages/templates/edit/?purpose=voucher&channel=email&language=en"
    key = {"purpose": "voucher", "channel": "email", "language": "en"}
    response = manager_client.post(url, {**key, "subject": "", "body": "Hi"})
    assert response.context["form"].errors["subject"]


@pytest.mark.parametrize("client_name", ["staff_client", "viewer_client"])
def test_only_managers_change_templates(request, client_name, tenant):
    client = request.getfixturevalue(client_name)
    assert client.post(EDIT, {**KEY, "body": "x"}).status_code == 403
    with alpha():
        assert not Template.objects.exists()


def test_viewers_cannot_open_templates(viewer_client):
    assert viewer_client.get(LIST).status_code == 403
    assert viewer_client.get(EDIT).status_code == 403
    assert viewer_client.post(PREVIEW, {**KEY, "body": "x"}).status_code == 403


@pytest.mark.parametrize("method,url", [("get", LIST), ("get", EDIT), ("post", PREVIEW)])
def test_outsider_is_sent_to_log_in(outsider_client, method, url):
    response = getattr(outsider_client, method)(url, KEY if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- the business's details under every e-mail ---------------------------------------------------
@pytest.mark.parametrize(
    ("language", "label"), [("en", "Phone"), ("fr", "Téléphone"), ("es", "Teléfono")]
)
def test_email_footers_show_how_to_reach_the_business(tenant, monkeypatch, language, label):
    monkeypatch.setattr(tenant, "phone", "+493012345678")
    monkeypatch.setattr(tenant, "address", "Hauptstraße 1\n10115 Berlin")
    monkeypatch.setattr(tenant, "website", "https://alpha-dental.example")
    contact = ContactFactory(first_name="Zoe", language=language)
    email = template_render(purpose="appointment_reminder", channel="email", contact=contact)
    assert email.body.endswith(
        f"-- \n{label}: {tenant.phone_display}\nHauptstraße 1 · 10115 Berlin\n"
        "https://alpha-dental.example"
    )
    sms = template_render(purpose="appointment_reminder", channel="sms", contact=contact)
    assert "-- \n" not in sms.body  # texts stay short


def test_an_email_footer_shows_only_what_the_business_set(tenant, monkeypatch):
    contact = ContactFactory(language="en")
    plain = template_render(purpose="appointment_reminder", channel="email", contact=contact)
    assert "-- \n" not in plain.body
    monkeypatch.setattr(tenant, "website", "https://alpha-dental.example")
    only_site = template_render(purpose="appointment_reminder", channel="email", contact=contact)
    assert only_site.body.endswith("-- \nhttps://alpha-dental.example")
