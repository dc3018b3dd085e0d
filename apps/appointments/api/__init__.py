"""The appointments API, one module per area; `register` adds every viewset to the router."""


def register(router, api_urlpatterns: list) -> None:
    from . import appointments, availability, setup, waitlist

    setup.register(router, api_urlpatterns)
    availability.register(router, api_urlpatterns)
    appointments.register(router, api_urlpatterns)
    waitlist.register(router, api_urlpatterns)
