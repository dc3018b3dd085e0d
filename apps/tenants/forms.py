from django import forms
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.forms import StyledFormMixin

from .models import TIME_ZONE_CHOICES


class SignupForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=120)
    slug = forms.CharField(
        label=_("Sub-domain"),
        max_length=40,
        help_text=_("Your dashboard's address: <sub-domain>.%(domain)s"),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    owner_name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your email"))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    country = forms.CharField(
        label=_("Country code"),
        max_length=2,
        initial="US",
        help_text=_("Two letters, e.g. US, GB, DE. Used to read local phone numbers."),
    )

    def __init__(self, *args, base_domain: str = "localhost", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = self.fields["slug"].help_text % {"domain": base_domain}
        self.fields["time_zone"].initial = "America/New_York"
