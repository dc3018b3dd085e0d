"""Login, invitations, the settings pages (business profile, team, API keys, authorised apps,
preferences) and the owner's consent to a partner app (OAuth)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from oauth2_provider.models import get_application_model
from oauth2_provider.views import AuthorizationView

from apps.tenants.services import tenant_update_profile
from cxsuite.lib.forms import form_add_service_errors

from . import selectors, services
from .forms import (
    AcceptInvitationForm,
    ApiKeyForm,
    BusinessProfileForm,
    InvitationForm,
    LoginForm,
    PasswordResetRequestForm,
    PasswordSetForm,
    PreferencesForm,
    UserRoleForm,
)
from .models import ApiKey, Invitation, Role, User
from .permissions import role_required
from .registries import HomeCard
from .scopes import scope_label


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def home_card_view(card: HomeCard):
    """The view of a home card's own URL: GET, at least the card's role, answered to htmx
    only; someone who opens the address itself is sent to the home page, where it loads."""

    def decorator(view):
        @role_required(card.min_role)
        @require_GET
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _is_partial(request):
                return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --- login and password ------------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_initial(self):
        return {"username": self.request.GET.get("email", "")}


@require_GET
@never_cache
def login_signup(request, token: str):
    """Where sign-up sends the new owner: logged in on their business's host by the one-time
    token (apps/tenants/services/signup.py), or sent to the login page when it is refused."""
    try:
        user = services.user_signup_login_redeem(token=token)
    except ValidationError:
        messages.error(
            request,
            _("This sign-in link has expired or was already used. Log in with your password."),
        )
        return redirect("accounts:login")
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    messages.success(request, _("%(name)s is ready.") % {"name": request.tenant.name})
    return redirect(settings.LOGIN_REDIRECT_URL)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PasswordSetForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_for_token(token)
    except ValidationError as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": exc.messages[0]})
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to the team!"))
            return redirect("dashboard:home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


# --- settings ----------------------------------------------------------------------------------
@role_required(Role.VIEWER)
def settings_index(request):
    if request.user.has_role(Role.MANAGER):
        return redirect("accounts:settings_profile")
    return redirect("accounts:settings_preferences")


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def settings_profile(request):
    tenant = request.tenant
    initial = {
        "name": tenant.name,
        "country": tenant.country,
        "time_zone": tenant.time_zone,
        "language": tenant.language,
        "brand_color": tenant.brand_color,
        "currency": tenant.currency,
        "phone": tenant.phone_display,
        "email": tenant.email,
        "website": tenant.website,
        "address": tenant.address,
        "opening_note": tenant.opening_note,
    }
    form = BusinessProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if not tenant.logo:
        del form.fields["clear_logo"]
    if request.method == "POST" and form.is_valid():
        try:
            tenant_update_profile(tenant=tenant, **{"clear_logo": False, **form.cleaned_data})
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Business profile saved."))
            return redirect("accounts:settings_profile")
    return render(request, "accounts/settings_profile.html", {"form": form, "section": "profile"})


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def settings_preferences(request):
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        initial={"name": user.name, "time_zone": user.time_zone, "language": user.language},
    )
    if request.method == "POST" and form.is_valid():
        services.user_update(user=user, actor=user, **form.cleaned_data)
        messages.success(request, _("Your preferences are saved."))
        return redirect("accounts:settings_preferences")
    return render(
        request, "accounts/settings_preferences.html", {"form": form, "section": "preferences"}
    )


def _team_context(request, invite_form=None) -> dict:
    return {
        "users": selectors.user_list(),
        "invitations": selectors.invitation_list_open(),
        "invite_form": invite_form or InvitationForm(),
        "roles": Role.choices,
        "section": "users",
    }


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def user_list(request):
    """The team, open invitations, and the invite form (an htmx post redraws the panel)."""
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                accept_url_base=request.build_absolute_uri("/invite/"),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            if not _is_partial(request):
                return redirect("accounts:user_list")
            form = InvitationForm()
    context = _team_context(request, form)
    if _is_partial(request):
        return render(request, "accounts/_team_panel.html", context)
    return render(request, "accounts/user_list.html", context)


@role_required(Role.MANAGER)
@require_POST
def user_update(request, pk: int):
    member = get_object_or_404(User, pk=pk)
    form = UserRoleForm(request.POST)
    if form.is_valid():
        try:
            services.user_update(user=member, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s is updated.") % {"name": member})
    else:
        messages.error(request, _("Choose a valid role."))
    if _is_partial(request):
        return render(request, "accounts/_team_panel.html", _team_context(request))
    return redirect("accounts:user_list")


@role_required(Role.MANAGER)
@require_POST
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    if _is_partial(request):
        return render(request, "accounts/_team_panel.html", _team_context(request))
    return redirect("accounts:user_list")


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def api_key_list(request):
    """Keys of this business; a new key's secret is shown on this response only."""
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _key, new_key = services.api_key_create(
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            form = ApiKeyForm()
    context = {
        "form": form,
        "new_key": new_key,
        "keys": selectors.api_key_list(),
        "section": "api_keys",
    }
    return render(request, "accounts/api_key_list.html", context)


@role_required(Role.MANAGER)
@require_POST
def api_key_revoke(request, pk: int):
    api_key = get_object_or_404(ApiKey, pk=pk)
    services.api_key_revoke(api_key=api_key)
    messages.success(request, _("Key “%(name)s” revoked.") % {"name": api_key.name})
    if request.htmx:
        return HttpResponseClientRedirect(reverse("accounts:api_key_list"))
    return redirect("accounts:api_key_list")


# --- partner apps (OAuth) ----------------------------------------------------------------------
class OAuthAuthorizeView(AuthorizationView):
    """A partner app asks to reach this business: its owner, logged in here, sees what it asks
    for, unticks what it should not have, and allows or refuses (authorisation code + PKCE)."""

    template_name = "accounts/oauth_authorize.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(Role.OWNER):
            return render(request, "accounts/oauth_owner_only.html", status=403)
        self.allowed_redirect = None
        response = super().dispatch(request, *args, **kwargs)
        if self.allowed_redirect:
            # the consent form's answer redirects to the app: the page's form-action allows it
            parts = urlsplit(self.allowed_redirect)
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
        return response

    def render_to_response(self, context, **response_kwargs):
        application = context.get("application")
        uri = (getattr(self, "oauth2_data", None) or {}).get("redirect_uri") or context.get(
            "redirect_uri"
        )
        if application is not None and uri and application.redirect_uri_allowed(uri):
            self.allowed_redirect = uri
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chosen = (
            self.request.POST.getlist("scope_choice") if self.request.method == "POST" else None
        )
        context["scope_rows"] = [
            {
                "scope": scope,
                "label": scope_label(scope),
                "checked": chosen is None or scope in chosen,
            }
            for scope in context.get("scopes") or []
        ]
        return context

    def form_valid(self, form):
        requested = form.cleaned_data.get("scope", "").split()
        chosen = [s for s in self.request.POST.getlist("scope_choice") if s in requested]
        if form.cleaned_data.get("allow"):
            if not chosen:
                form.add_error(None, _("Tick at least one permission, or refuse."))
                return self.form_invalid(form)
            form.cleaned_data["scope"] = " ".join(chosen)
        return super().form_valid(form)

    def form_invalid(self, form):
        scopes = form.cleaned_data.get("scope", "").split() if hasattr(form, "cleaned_data") else []
        client_id = form.data.get("client_id", "")
        application = get_application_model().objects.filter(client_id=client_id).first()
        return self.render_to_response(
            self.get_context_data(
                form=form,
                scopes=scopes,
                application=application,
                redirect_uri=form.data.get("redirect_uri", ""),
            )
        )


@role_required(Role.OWNER)
@require_GET
def oauth_app_list(request):
    """The partner apps this business authorised, with what they may do."""
    context = {"authorisations": selectors.oauth_authorisations(), "section": "apps"}
    return render(request, "accounts/oauth_app_list.html", context)


@role_required(Role.OWNER)
@require_POST
def oauth_app_revoke(request, pk: int):
    application = get_object_or_404(get_application_model(), pk=pk)
    services.oauth_app_revoke(application_id=application.pk, actor=request.user)
    messages.success(
        request, _("“%(name)s” can no longer reach your business.") % {"name": application.name}
    )
    if request.htmx:
        return HttpResponseClientRedirect(reverse("accounts:oauth_app_list"))
    return redirect("accounts:oauth_app_list")
