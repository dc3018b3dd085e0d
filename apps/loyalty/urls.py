"""The loyalty pages: staff pages under /loyalty/, the member's card and the referral link
(no login) under /card/."""

from django.urls import path

from .views import card, counter, figures, flags, members, settings

app_name = "loyalty"

urlpatterns = [
    path("loyalty/", members.member_list, name="member_list"),
    path("loyalty/members/<int:pk>/", members.member_detail, name="member_detail"),
    path("loyalty/members/<int:pk>/adjust/", members.member_adjust, name="member_adjust"),
    path("loyalty/members/<int:pk>/issue/", members.member_issue, name="member_issue"),
    path("loyalty/members/<int:pk>/send-card/", members.member_send_card, name="member_send_card"),
    path("loyalty/members/<int:pk>/card/", members.member_card_link, name="member_card_link"),
    path("loyalty/counter/", counter.counter, name="counter"),
    path("loyalty/settings/", settings.program_settings, name="settings"),
    path("loyalty/settings/preview/", settings.settings_preview, name="settings_preview"),
    path("loyalty/settings/tiers/new/", settings.tier_edit, name="tier_create"),
    path("loyalty/settings/tiers/<int:pk>/", settings.tier_edit, name="tier_edit"),
    path("loyalty/settings/tiers/<int:pk>/remove/", settings.tier_remove, name="tier_remove"),
    path("loyalty/settings/rewards/new/", settings.reward_edit, name="reward_create"),
    path("loyalty/settings/rewards/<int:pk>/", settings.reward_edit, name="reward_edit"),
    path("loyalty/figures/", figures.figures, name="figures"),
    path("loyalty/flags/", flags.flag_list, name="flag_list"),
    path("loyalty/flags/<int:pk>/review/", flags.flag_resolve, name="flag_resolve"),
    path("loyalty/home/summary/", members.home_card, name="home_card"),
    path("loyalty/contacts/<int:contact_pk>/", members.contact_panel, name="contact_panel"),
    path("loyalty/contacts/<int:contact_pk>/enrol/", members.contact_enrol, name="contact_enrol"),
    path("card/<str:token>/", card.card, name="card"),
    path("card/<str:token>/qr.svg", card.card_qr, name="card_qr"),
    path("join/<str:code>/", card.join, name="join"),
]
