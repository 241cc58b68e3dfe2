"""GOV.UK's error summary for any form: every error listed at the top of the form, linked to its field.

The template is ``includes/error_summary.html`` and ``static/js/error-summary.js`` moves focus to it,
so a screen reader reads the problems first; each link leads to the field and, as a fragment link to a
form control, focuses it, with or without JavaScript.
"""

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

if TYPE_CHECKING:
    # The mixin only ever goes in front of a Django form, whose attributes it uses.
    _FormBase = forms.BaseForm
else:
    _FormBase = object

CHOICE_LISTS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


class ErrorSummaryMixin(_FormBase):
    """``form.error_summary``: (anchor, message) pairs, in the order of the fields on the page."""

    # The field a form-wide error (such as "choose at least one") is about, so its summary line links there.
    form_errors_field: str | None = None
    # A page of several questions names the question in each line, where "Select an answer" alone is vague.
    summary_names_fields = False

    def error_summary(self) -> list[tuple[str, str]]:
        summary: list[tuple[str, str]] = []
        errors = self.errors
        for error in errors.get(NON_FIELD_ERRORS, []):
            summary.append((self._anchor(self.form_errors_field), str(error)))
        for name in self.fields:
            summary.extend((self._anchor(name), self._summary_line(name, str(error))) for error in errors.get(name, []))
        return summary

    def _summary_line(self, name: str, error: str) -> str:
        return f"{self[name].label}: {error}" if self.summary_names_fields else error

    def _anchor(self, name: str | None) -> str:
        if name is None or name not in self.fields:
            return ""
        field = self[name]
        if field.is_hidden:
            return ""  # Nothing on the page to go to: the message stands alone.
        if isinstance(field.field.widget, CHOICE_LISTS):
            return f"{field.auto_id}_0" if getattr(field.field, "choices", None) else ""
        return str(field.auto_id)
