"""The search form, read by the page and the API alike: what to look for and the filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ErrorSummaryMixin
from search.selectors import KINDS, MAX_PAGE, Criteria
from topics.models import Topic

QUERY_MAX_LENGTH = 200


class SearchInput(forms.TextInput):
    input_type = "search"


class SearchForm(ErrorSummaryMixin, forms.Form):
    q = forms.CharField(
        label=_("Search for"), required=False, max_length=QUERY_MAX_LENGTH, strip=True, widget=SearchInput
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Everything"))] + [(kind, source.label) for kind, source in KINDS.items()],
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All topics"),
        error_messages={"invalid_choice": _("There is no such topic; choose one from the list.")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The page number must be a whole number.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" and "to" are the parameters' names, and "from" is a Python keyword.
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": _("Give the “from” date as a date, for example 2025-07-01.")},
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": _("Give the “to” date as a date, for example 2025-07-31.")},
        )
        self.fields["kind"].error_messages["invalid_choice"] = _(
            "Choose a type from the list: analysis, webinar, consultation or outcome."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_dates(cleaned)
        return cleaned

    def check_dates(self, cleaned: dict[str, Any]) -> None:
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The “to” date must be on or after the “from” date."))

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        return Criteria(
            text=data["q"],
            kind=data["kind"],
            topic=data["topic"],
            date_from=data["from"],
            date_to=data["to"],
        )

    @property
    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1
