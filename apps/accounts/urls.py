from django.contrib.auth import views as auth_views
from django.urls import path
from oauth2_provider import views as oauth_views

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/welcome/<str:token>/", views.login_signup, name="login_signup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/profile/", views.settings_profile, name="settings_profile"),
    path("settings/preferences/", views.settings_preferences, name="settings_preferences"),
    path("settings/users/", views.user_list, name="user_list"),
    path("settings/users/<int:pk>/", views.user_update, name="user_update"),
    path(
        "settings/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("settings/api-keys/", views.api_key_list, name="api_key_list"),
    path("settings/api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("settings/apps/", views.oauth_app_list, name="oauth_app_list"),
    path("settings/apps/<int:pk>/revoke/", views.oauth_app_revoke, name="oauth_app_revoke"),
    # OAuth 2.0 for partner apps: the owner's consent, then the app's token calls
    path("oauth/authorize/", views.OAuthAuthorizeView.as_view(), name="oauth_authorize"),
    path("oauth/token/", oauth_views.TokenView.as_view(), name="oauth_token"),
    path("oauth/revoke-token/", oauth_views.RevokeTokenView.as_view(), name="oauth_revoke_token"),
]
