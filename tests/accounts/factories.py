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
