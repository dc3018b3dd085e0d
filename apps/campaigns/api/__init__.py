"""The campaigns API; `register` adds its viewsets to the router."""


def register(router, api_urlpatterns: list) -> None:
    from . import campaigns

    campaigns.register(router, api_urlpatterns)
