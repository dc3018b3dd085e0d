from django import forms
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.forms import StyledFormMixin

from .formats import country_choices, country_default_zones, time_zone_choices

DEFAULT_COUNTRY = "US"
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

    def __init__(self, *args, address_suffix: str = ".localhost", **kwargs):
        super().__init__(*args, **kwargs)
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
