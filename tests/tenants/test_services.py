import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_context, schema_exists

from apps.accounts.models import Role, User
from apps.tenants.models import Domain, Tenant
from apps.tenants.services import tenant_create, tenant_slug_validate, tenant_update_profile
from tests.conftest import PASSWORD


def _create(slug: str = "gamma", **overrides) -> Tenant:
    values = dict(
        name="Gamma Salon",
        slug=slug,
        owner_name="Gia Owner",
        owner_email=f"gia@{slug}.test",
        owner_password=PASSWORD,
        time_zone="Europe/Paris",
        country="FR",
    )
    values.update(overrides)
    return tenant_create(**values)


def _tenant_app_labels() -> set[str]:
    return {apps.get_app_config(app.rsplit(".", 1)[-1]).label for app in settings.TENANT_APPS}


@pytest.mark.django_db
def test_new_tenant_has_every_table_of_every_tenant_migration():
    tenant = _create()
    expected_tables = set()
    for label in _tenant_app_labels():
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                expected_tables.add(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [tenant.schema_name],
        )
        tables = {row[0] for row in cursor.fetchall()}
        cursor.execute(f'SELECT app, name FROM "{tenant.schema_name}".django_migrations')
        applied = set(cursor.fetchall())
    assert expected_tables - tables == set()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    wanted = {key for key in loader.disk_migrations if key[0] in _tenant_app_labels()}
    assert wanted - applied == set()


@pytest.mark.django_db
def test_tenant_create_makes_domain_and_owner():
    tenant = _create()
    assert Domain.objects.get(tenant=tenant).domain == "gamma.localhost"
    with schema_context(tenant.schema_name):
        owner = User.objects.get()
        assert owner.role == Role.OWNER
        assert owner.check_password(PASSWORD)


@pytest.mark.django_db
def test_tenant_create_with_bad_password_writes_nothing():
    with pytest.raises(ValidationError) as caught:
        _create(owner_password="123")
    assert "password" in caught.value.message_dict
    assert not Tenant.objects.filter(slug="gamma").exists()
    assert not schema_exists("gamma")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("www", "reserved"),
        ("admin", "reserved"),
        ("alpha", "already taken"),
        ("Bad Name!", "lowercase letters"),
        ("-edge", "lowercase letters"),
        ("ab", "lowercase letters"),
        ("double--dash", "lowercase letters"),
        ("9lives", "lowercase letters"),
    ],
)
@pytest.mark.django_db
def test_slug_validation_names_the_problem(slug, message):
    with pytest.raises(ValidationError) as caught:
        tenant_slug_validate(slug)
    assert message in " ".join(caught.value.message_dict["slug"])


@pytest.mark.django_db
def test_slug_is_normalised():
    assert tenant_slug_validate("  Fresh-Smiles ") == "fresh-smiles"


@pytest.mark.django_db
def test_tenant_create_rejects_unknown_time_zone():
    with pytest.raises(ValidationError) as caught:
        _create(time_zone="Mars/Olympus")
    assert "time_zone" in caught.value.message_dict


@pytest.mark.django_db
def test_profile_update_validates_colour_and_keeps_row_unchanged(tenant):
    with pytest.raises(ValidationError) as caught:
        tenant_update_profile(
            tenant=tenant,
            name="Alpha",
            country="DE",
            time_zone="Europe/Berlin",
            language="de",
            brand_color="teal",
        )
    assert "brand_color" in caught.value.message_dict
    tenant.refresh_from_db()
    assert tenant.name == "Alpha Dental"


@pytest.mark.django_db
def test_profile_update_saves(tenant):
    tenant_update_profile(
        tenant=tenant,
        name="Alpha Dental Care",
        country="de",
        time_zone="Europe/Vienna",
        language="de",
        brand_color="#AA3366",
    )
    tenant.refresh_from_db()
    assert (tenant.name, tenant.country, tenant.time_zone, tenant.brand_color) == (
        "Alpha Dental Care",
        "DE",
        "Europe/Vienna",
        "#aa3366",
    )


@pytest.mark.django_db
def test_provisioning_hooks_run_inside_the_new_schema():
    from apps.accounts.models import User
    from apps.tenants.registries import provisioning_hooks

    seen = []

    def hook(business):
        owner = User.objects.get(email=business.owner_email)  # accounts' hook ran first
        seen.append((business.tenant.slug, connection.schema_name, owner.role))

    with provisioning_hooks.override("probe", hook):
        _create()
    assert seen == [("gamma", "gamma", "owner")]


@pytest.mark.parametrize(
    ("country", "currency"),
    [("DE", "EUR"), ("FR", "EUR"), ("GB", "GBP"), ("CH", "CHF"), ("US", "USD"), ("KE", "USD")],
)
@pytest.mark.django_db
def test_a_new_business_prices_in_its_country_s_currency(country, currency):
    assert _create(country=country).currency == currency


@pytest.mark.django_db
def test_a_currency_outside_the_list_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        _create(currency="ABC")
    assert "currency" in caught.value.message_dict
    assert not Tenant.objects.filter(slug="gamma").exists()


@pytest.mark.django_db
def test_businesses_from_before_currencies_get_their_country_s():
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("apps.tenants.migrations.0003_tenant_currency")
    tenant = _create(country="GB")
    Tenant.objects.filter(pk=tenant.pk).update(currency="USD")
    migration.currency_from_country(django_apps, None)
    tenant.refresh_from_db()
    assert tenant.currency == "GBP"


def _profile_values(tenant, **details):
    return dict(
        tenant=tenant,
        name=tenant.name,
        country=tenant.country,
        time_zone=tenant.time_zone,
        language=tenant.language,
        brand_color=tenant.brand_color,
        **details,
    )


@pytest.mark.django_db
def test_profile_contact_details_are_normalised(tenant):
    tenant_update_profile(
        **_profile_values(
            tenant,
            phone="030 1234567",
            email=" Hello@Alpha.Example ",
            website="alpha-dental.example",
            address="Hauptstraße 1\n10115 Berlin",
            opening_note="Late opening on Thursdays",
        )
    )
    tenant.refresh_from_db()
    assert tenant.phone == "+49301234567"  # read in the business's country (DE)
    assert tenant.phone_display == "030 1234567"
    assert tenant.email == "hello@alpha.example"
    assert tenant.website == "https://alpha-dental.example"
    assert tenant.address == "Hauptstraße 1\n10115 Berlin"
    assert tenant.opening_note == "Late opening on Thursdays"


@pytest.mark.django_db
def test_profile_contact_details_left_out_are_kept(tenant):
    tenant_update_profile(**_profile_values(tenant, phone="+1 312 555 0100"))
    tenant_update_profile(**_profile_values(tenant, opening_note="Closed on Sundays"))
    tenant.refresh_from_db()
    assert (tenant.phone, tenant.opening_note) == ("+13125550100", "Closed on Sundays")
    assert tenant.phone_display == "+1 312-555-0100"  # a foreign number keeps its country code


@pytest.mark.django_db
def test_profile_bad_contact_details_name_each_field_and_save_nothing(tenant):
    with pytest.raises(ValidationError) as caught:
        tenant_update_profile(
            **_profile_values(
                tenant,
                phone="call us",
                email="not an address",
                website="javascript:alert(1)",
                opening_note="x" * 201,
            )
        )
    assert set(caught.value.message_dict) == {"phone", "email", "website", "opening_note"}
    tenant.refresh_from_db()
    assert (tenant.phone, tenant.email, tenant.website) == ("", "", "")
