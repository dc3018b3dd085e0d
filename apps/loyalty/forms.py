"""The loyalty pages' forms: they read what the browser sent; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.forms import StyledFormMixin

from .models import Program, Reward, Tier


class MemberSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    tier = forms.CharField(label=_("Tier"), required=False, max_length=12)

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Any tier")), ("none", _("No tier"))]
        choices += [(str(t.pk), t.name) for t in tiers]
        self.fields["tier"] = forms.ChoiceField(label=_("Tier"), required=False, choices=choices)


class AdjustForm(StyledFormMixin, forms.Form):
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-10_000_000,
        max_value=10_000_000,
        help_text=_("Negative to take points away."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter a number of points other than zero."))
        return points


class VoucherCodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=40,
        help_text=_("Type it or scan the QR code on the member's card."),
    )


class RewardIssueForm(StyledFormMixin, forms.Form):
    reward = forms.ModelChoiceField(
        label=_("Reward"), queryset=Reward.objects.none(), empty_label=_("Choose a reward")
    )

    def __init__(self, *args, rewards=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reward"].queryset = rewards if rewards is not None else Reward.objects.none()


class ProgramForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "points_enabled",
            "tiers_enabled",
            "cashback_enabled",
            "referrals_enabled",
            "enrolment",
            "points_per_unit",
            "points_per_visit",
            "earn_on_tax",
            "earn_on_tips",
            "return_window_days",
            "expiry_months",
            "expiry_reminder_days",
            "point_value",
            "expired_voucher_points_back",
            "tier_basis",
            "tier_window_months",
            "tier_grace_days",
            "cashback_percent",
            "cashback_form",
            "visit_reward_every",
            "visit_reward",
            "referral_trigger",
            "referrer_points",
            "referred_points",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit_reward"].queryset = Reward.objects.filter(active=True)
        self.fields["visit_reward"].label = _("the visit reward")
        self.fields["points_per_unit"].min_value = Decimal(0)
        self.fields["cashback_percent"].min_value = Decimal(0)
        self.fields["cashback_percent"].max_value = Decimal(100)
        self.fields["point_value"].min_value = Decimal(0)
        self.fields["expiry_months"].help_text = _("Leave empty: points never expire.")


class PreviewForm(StyledFormMixin, forms.Form):
    sample_amount = forms.DecimalField(
        label=_("A sample purchase"),
        min_value=Decimal(0),
        max_value=Decimal(1_000_000),
        max_digits=12,
        decimal_places=2,
        initial=Decimal(100),
    )
    sample_tax = forms.DecimalField(
        label=_("of which tax"),
        min_value=Decimal(0),
        max_value=Decimal(1_000_000),
        max_digits=12,
        decimal_places=2,
        initial=Decimal(0),
        required=False,
    )
    sample_tier = forms.ModelChoiceField(
        label=_("for a member in"), queryset=Tier.objects.all(), required=False
    )


class TierForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "threshold", "earn_multiplier", "discount_percent", "benefits_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold"].min_value = Decimal(0)
        self.fields["earn_multiplier"].min_value = Decimal(1)
        self.fields["discount_percent"].min_value = Decimal(0)
        self.fields["discount_percent"].max_value = Decimal(100)


class RewardForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Reward
        fields = [
            "name",
            "description",
            "kind",
            "value",
            "cost_points",
            "stock",
            "voucher_valid_days",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cost_points"].min_value = 1
        self.fields["value"].min_value = Decimal(0)
        self.fields["voucher_valid_days"].min_value = 1


class JoinForm(StyledFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)


class FlagFilterForm(StyledFormMixin, forms.Form):
    """The flagged activity page's filters (a bad value is named, never a 500)."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("To review")), ("reviewed", _("Reviewed")), ("all", _("All"))],
    )
    staff = forms.TypedChoiceField(label=_("Staff member"), required=False, coerce=int)
    days = forms.TypedChoiceField(
        label=_("When"),
        required=False,
        coerce=int,
        choices=[
            ("7", _("Last 7 days")),
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            ("", _("Any time")),
        ],
    )

    def __init__(self, *args, staff_choices=(), **kwargs):
        from .models import FlagKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *FlagKind.choices]
        self.fields["staff"].choices = [("", _("Anyone")), *staff_choices]
