"""The sign-in, sign-up, password and email pages render allauth's forms in the questionnaire's pattern:
an error summary at the top linked to each field, and each box described by its hint and its error."""

from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def error_summary(form: object) -> list[tuple[str, str]]:
    """(anchor, message) for every error; a form-wide one (a wrong password) links to the first box.

    Pages without a form (the "check your email" pages) pass nothing, which has no errors.
    """
    if not isinstance(form, forms.BaseForm) or not form.is_bound:
        return []
    first = next((form[name].auto_id for name, field in form.fields.items() if not field.widget.is_hidden), "")
    summary: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        anchor = first if name == NON_FIELD_ERRORS or name not in form.fields else form[name].auto_id
        summary.extend((anchor, str(error)) for error in errors)
    return summary


@register.simple_tag
def described_widget(field: forms.BoundField, hinted: bool = False) -> SafeString:
    """The field's box with ``aria-describedby`` naming its hint and its error.

    allauth's placeholders ("Email address" inside the box) go: they vanish as one types and
    read as a filled-in value, so the label above says it instead.
    """
    attrs: dict[str, Any] = {key: value for key, value in field.field.widget.attrs.items() if key != "placeholder"}
    described = [f"{field.auto_id}_hint"] if hinted or field.help_text else []
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    widget = field.field.widget
    saved, widget.attrs = widget.attrs, {}
    try:
        return field.as_widget(attrs=attrs)
    finally:
        widget.attrs = saved
