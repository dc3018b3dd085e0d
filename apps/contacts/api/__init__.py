"""The contacts API, one module per area; `register` adds every viewset to the router."""


def register(router, api_urlpatterns: list) -> None:
    from . import activity, contacts, privacy, segments

    contacts.register(router, api_urlpatterns)
    activity.register(router, api_urlpatterns)
    segments.register(router, api_urlpatterns)
    privacy.register(router, api_urlpatterns)
