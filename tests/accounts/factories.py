import factory

from apps.accounts.models import ApiKey, Invitation, Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"member{n}@example.test")
    name = factory.Faker("name")
    role = Role.STAFF
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = Role.STAFF


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A key row with no usable secret; use services.api_key_create when a request must use it."""

    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"partner {n}")
    prefix = factory.Sequence(lambda n: f"f{n:07x}")
    hashed_key = factory.Sequence(lambda n: f"{n:064x}")
    scopes = factory.LazyFunction(lambda: ["read"])


def partner_app_create(name: str = "Partner CRM", redirect_uri: str = "https://partner.example/cb"):
    """A registered partner app (public schema) and its raw client secret."""
    from apps.tenants.services import partner_app_register

    return partner_app_register(
        name=name, redirect_uris=redirect_uri, contact_email="dev@partner.example"
    )


def oauth_token_create(scopes: list[str], *, app=None, user=None, seconds: int = 3600) -> str:
    """A live access token of the current business for a partner app, as if its owner had
    authorised it; returns the raw token."""
    import datetime as dt
    import secrets

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, set_token_value

    if app is None:
        app, _secret = partner_app_create()
    if user is None:
        user = User.objects.filter(role=Role.OWNER).first()
    raw = secrets.token_urlsafe(30)
    token = get_access_token_model()(
        user=user,
        application=app,
        scope=" ".join(scopes),
        expires=timezone.now() + dt.timedelta(seconds=seconds),
    )
    set_token_value(token, raw)
    token.save()
    return raw
