"""The member's choice of notifications: two ticks per kind (in the app, by e-mail)."""

from __future__ import annotations

from django import forms

from cxsuite.lib.forms import StyledFormMixin

from .choices import Kind, Way


class NotificationPreferencesForm(StyledFormMixin, forms.Form):
    """One checkbox per (kind, way), named `<kind>__<way>`; `rows` pairs them for the table."""

    def __init__(self, *args, current: dict[str, tuple[bool, bool]], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            in_app, email = current.get(kind.value, (False, False))
            for way, ticked in ((Way.IN_APP, in_app), (Way.EMAIL, email)):
                self.fields[f"{kind.value}__{way.value}"] = forms.BooleanField(
                    label=f"{kind.label}: {way.label}", required=False, initial=ticked
                )

    def rows(self):
        """(kind label, in-app field, e-mail field) per kind, for the table."""
        return [
            (kind.label, self[f"{kind.value}__in_app"], self[f"{kind.value}__email"])
            for kind in Kind
        ]

    def choices(self) -> dict[str, set[str]]:
        """The ticks as the service takes them: `{kind: {"in_app", "email"}}`."""
        picked: dict[str, set[str]] = {kind: set() for kind in Kind.values}
        for name, ticked in self.cleaned_data.items():
            kind, way = name.split("__")
            if ticked:
                picked[kind].add(way)
        return picked
