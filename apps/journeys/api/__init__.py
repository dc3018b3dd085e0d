"""The journeys API; `register` adds its viewsets to the router."""


def register(router, api_urlpatterns: list) -> None:
    from . import journeys

    journeys.register(router, api_urlpatterns)
