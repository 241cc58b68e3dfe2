"""The analysis editor's extra field and the form that picks two versions to compare."""

from datetime import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from reversion.models import Version


class AnalysisForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("What changed, for readers"),
        required=False,
        max_length=300,
        help_text=_(
            "When you change the body of a published analysis, the page says “Updated” with today's date "
            "and lists this note under “Updates to this page”. Optional."
        ),
        widget=forms.TextInput(attrs={"class": "vLargeTextField"}),
    )


class CompareForm(forms.Form):
    older = forms.TypedChoiceField(label=_("Compare the version of"), coerce=int)
    newer = forms.TypedChoiceField(label=_("with the version of"), coerce=int)

    def __init__(self, *args, versions: list[Version], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(version.pk, version_label(version)) for version in versions]
        for name in ("older", "newer"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("older") is not None and cleaned.get("older") == cleaned.get("newer"):
            raise forms.ValidationError(_("Choose two different versions."))
        return cleaned


def version_label(version: Version) -> str:
    revision = version.revision
    who = revision.user.get_username() if revision.user else _("unknown")
    return f"{localtime_label(revision.date_created)} ({who})"


def localtime_label(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y, H:i:s")
