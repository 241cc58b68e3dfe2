"""Admin widgets: autocompletes that survive a submitted value their key field cannot hold, and date and
time boxes with labels.

When an admin form comes back with errors, Django's autocomplete widget looks the submitted
values up again to show them, and a value that is no id at all (a word, a NUL) raises inside that
query: a 500 where the form should say "Select a valid choice". These widgets leave such values out
of the look-up; the form field's own validation still reports them.
"""

# Django's fields are generic only in the stubs, so their parameters must not be evaluated at run time.
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import (
    AdminSplitDateTime,
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.renderers import BaseRenderer
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    # The mixin is given to model admins and inlines alike, whatever their model.
    _AdminBase = admin.options.BaseModelAdmin[Any]
    _ModelMultipleChoiceField = forms.ModelMultipleChoiceField[models.Model]
else:
    _AdminBase = object
    _ModelMultipleChoiceField = forms.ModelMultipleChoiceField


def _fits(field: models.Field[Any, Any], value: object) -> bool:
    if "\x00" in str(value):
        return False
    try:
        # run_validators holds the database's integer range, which a long number overflows.
        field.run_validators(field.get_prep_value(field.to_python(value)))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


class _ValidValuesOnly(AutocompleteMixin):
    field: models.ForeignKey[Any, Any] | models.ManyToManyField[Any, Any]

    def optgroups(
        self, name: str, value: Sequence[str], attrs: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        remote = self.field.remote_field
        key = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        assert isinstance(key, models.Field)  # the key a relation points at is a column, not a relation
        return super().optgroups(name, [item for item in value if _fits(key, item)], attrs)


class ValidatingAutocompleteSelect(_ValidValuesOnly, AutocompleteSelect):
    pass


class ValidatingAutocompleteSelectMultiple(_ValidValuesOnly, AutocompleteSelectMultiple):
    pass


class KeyCheckedModelMultipleChoiceField(_ModelMultipleChoiceField):
    """Refuses a value its key field cannot hold before the ``IN`` query, which would overflow."""

    def _check_values(self, value: Sequence[object]) -> models.QuerySet[models.Model]:
        assert self.queryset is not None  # the admin always gives a relation's field its choices
        opts = self.queryset.model._meta
        key = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        assert isinstance(key, models.Field)  # the key a relation points at is a column, not a relation
        for item in value:
            if not _fits(key, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        # Django's private method, absent from the stubs.
        checked: models.QuerySet[models.Model] = super()._check_values(value)  # type: ignore[misc]
        return checked


class SafeAutocompleteMixin(_AdminBase):
    """For a ModelAdmin or inline: the widgets and many-to-many field above instead of Django's."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidatingAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidatingAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", KeyCheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time boxes, each with a ``<label>``: Django's own "Date:" and "Time:" are bare
    text, so the time box had no name at all for a screen reader (and axe-core's critical "label").

    Rendered here rather than by a template: the form renderer finds templates only in installed
    apps, and ``core`` is not one.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        date, time = self.get_context(name, value, attrs)["widget"]["subwidgets"]
        date_box, time_box = (
            widget.render(sub["name"], sub["value"], sub["attrs"], renderer)
            for widget, sub in zip(self.widgets, (date, time), strict=True)
        )
        return format_html(
            '<p class="datetime"><label for="{}">{}</label> {}<br><label for="{}">{}</label> {}</p>',
            date["attrs"].get("id", ""),
            _("Date:"),
            date_box,
            time["attrs"].get("id", ""),
            _("Time:"),
            time_box,
        )
