from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.forms import StyledFormMixin

from .formats import country_choices, country_default_zones, time_zone_choices
from .languages import LANGUAGE_NATIVE_NAMES, UI_LANGUAGES, ui_language

DEFAULT_COUNTRY = "US"


def visitor_language() -> str:
    """The language the sign-up page speaks to this visitor (from their browser)."""
    return ui_language(translation.get_language()) or "en"


DEFAULT_TIME_ZONE = "America/New_York"


class SignupForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Business name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    slug = forms.CharField(
        label=_("Sub-domain"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    owner_name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Your email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=country_choices,
        initial=DEFAULT_COUNTRY,
        help_text=_("Sets how dates, times and local phone numbers are written."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[])
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[(code, LANGUAGE_NATIVE_NAMES[code]) for code in UI_LANGUAGES],
        required=False,  # left out: the language the visitor reads the page in
        help_text=_("What your booking page and messages speak; each customer can have their own."),
    )

    def __init__(self, *args, address_suffix: str = ".localhost", **kwargs):
        super().__init__(*args, **kwargs)
        # The visitor's own language (the sign-up page already speaks it) is the first guess.
        self.fields["language"].initial = visitor_language()
        country = str(self.data.get("country") or DEFAULT_COUNTRY).upper()
        self.fields["time_zone"].choices = time_zone_choices(country=country)
        self.fields["time_zone"].initial = country_default_zones().get(country, DEFAULT_TIME_ZONE)
        # The address preview: signup.js rewrites it as the name or the sub-domain is typed.
        text = _("Your dashboard's address: %(address)s")
        slug = str(self.data.get("slug") or "").strip().lower() or _("your-business")
        slug_field = self.fields["slug"]
        slug_field.help_text = text % {"address": f"{slug}{address_suffix}"}
        slug_field.widget.attrs.update(
            {
                "data-address-suffix": address_suffix,
                "data-address-text": str(text),
                "placeholder": _("made from the business name"),
            }
        )

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or visitor_language()


class PartnerAppForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("App name"),
        max_length=120,
        help_text=_("Businesses see it when they authorise it."),
    )
    redirect_uris = forms.CharField(
        label=_("Redirect addresses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more https addresses, separated by spaces or lines."),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
