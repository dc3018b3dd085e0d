"""The loyalty API, one module per area; `register` adds every viewset to the router."""


def register(router, api_urlpatterns: list) -> None:
    from . import members, referrals, rewards, vouchers

    members.register(router, api_urlpatterns)
    vouchers.register(router, api_urlpatterns)
    rewards.register(router, api_urlpatterns)
    referrals.register(router, api_urlpatterns)
