"""Form helpers: the check every form makes before it cleans anything, and putting a
service's ValidationError onto a form, field by field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from cxsuite.lib.input import text_refusal

if TYPE_CHECKING:
    _FormBase = forms.BaseForm  # what the mixins are mixed into
else:
    _FormBase = object


def form_add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach errors to the named fields; unknown names become form-wide errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class CleanTextFormMixin(_FormBase):
    """Refuses control characters (but tab and line breaks) in any submitted value, as an error
    on that field, before the form cleans anything: no field, clean method or service ever sees
    them. Every form of the project has this mixin (through StyledFormMixin or directly)."""

    def full_clean(self):
        refused = self._refused_text() if self.is_bound else {}
        if not refused:
            super().full_clean()
            return
        self._errors = ErrorDict()
        self.cleaned_data = {}
        for name, message in refused.items():
            self.add_error(name, message)

    def _refused_text(self) -> dict[str, str]:
        refused = {}
        for name, field in self.fields.items():
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            values = value if isinstance(value, list | tuple) else [value]
            for item in values:
                problem = text_refusal(item) if isinstance(item, str) else None
                if problem:
                    refused[name] = problem
                    break
        return refused


class StyledFormMixin(CleanTextFormMixin):
    """Marks inputs for the stylesheet and for assistive technology when a field has errors."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                described = [f"{self.add_prefix(name)}-errors"]
                if self.fields[name].help_text:  # the id Django gives the help text
                    described.append(f"{self[name].auto_id}_helptext")
                widget.attrs["aria-describedby"] = " ".join(described)
