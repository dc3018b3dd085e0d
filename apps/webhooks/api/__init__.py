"""The webhooks API; `register` adds its viewsets to the router."""


def register(router, api_urlpatterns: list) -> None:
    from . import endpoints

    endpoints.register(router, api_urlpatterns)
