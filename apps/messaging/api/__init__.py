"""The messaging API; `register` adds its viewsets to the router."""


def register(router, api_urlpatterns: list) -> None:
    from . import messages, templates

    messages.register(router, api_urlpatterns)
    templates.register(router, api_urlpatterns)
