import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.db import models
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, PolicyClause, PolicyVersion
from core.validators import DeliverableEmailField

TIMING_SALT = "comments.form-issued"


def timing_token() -> str:
    return signing.Signer(salt=TIMING_SALT).sign(f"{time.time():.3f}")


def seconds_since(token: str) -> float | None:
    """Seconds since the form was shown; None when the token is missing or forged."""
    try:
        issued = float(signing.Signer(salt=TIMING_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return time.time() - issued


class CommentTextField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        max_length = settings.COMMENTS_MAX_LENGTH
        super().__init__(
            label=_("Comment"),
            max_length=max_length,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 8, "maxlength": max_length, "data-counter": "true"}),
            **kwargs,
        )

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value.strip():
            raise forms.ValidationError(_("Write your comment."), code="required")


class CommentTextMixin(forms.Form):
    text = CommentTextField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Built again per form so that a changed COMMENTS_MAX_LENGTH applies without a restart.
        self.fields["text"] = CommentTextField()


class OrganisationMixin(forms.Form):
    on_behalf = forms.BooleanField(label=_("I am responding on behalf of an organisation"), required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    declaration_of_interest = forms.CharField(
        label=_("Declaration of interest"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Funding, membership or other interests readers should know about. Write “None” if none."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("on_behalf"):
            if not (data.get("organisation") or "").strip():
                self.add_error("organisation", _("Give the organisation's name."))
            if not (data.get("declaration_of_interest") or "").strip():
                self.add_error("declaration_of_interest", _("Declare any interest, or write “None”."))
        else:
            data["organisation"] = data["declaration_of_interest"] = ""
        return data


class CommentForm(CommentTextMixin, OrganisationMixin):
    name = forms.CharField(label=_("Name"), max_length=80)
    email = DeliverableEmailField(label=_("Email"))
    accept_policy = forms.BooleanField(
        label=_("I have read and accept the comment policy"),
        error_messages={"required": _("Tick the box to accept the comment policy.")},
    )
    notify_replies = forms.BooleanField(label=_("Email me when someone replies"), required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A field people never see: browsers leave it empty, form-filling robots do not.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    issued = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["name", "email", "text", "accept_policy", "notify_replies", "on_behalf", "organisation"]

    def __init__(self, *args, target: models.Model, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["name"].error_messages["required"] = _("Enter your name.")
        self.fields["email"].error_messages["required"] = _("Enter your email address.")
        self.fields["email"].error_messages["invalid"] = _("Enter an email address like name@example.com.")
        if not self.is_bound:
            self.initial.setdefault("issued", timing_token())
        if user is not None and user.is_authenticated:
            self.fields["name"].initial = user.get_full_name() or user.get_username()
            self.fields["email"].initial = user.email
            self.fields["name"].disabled = self.fields["email"].disabled = True

    def clean_parent(self) -> Comment | None:
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = Comment.objects.for_target(self.target).filter(pk=parent_id, status=Comment.Status.APPROVED).first()
        if parent is None:
            raise forms.ValidationError(_("The comment you are replying to is no longer available."))
        return parent

    @property
    def seconds_to_write(self) -> float | None:
        return seconds_since(self.cleaned_data.get("issued") or "")


class CommentEditForm(CommentTextMixin, OrganisationMixin):
    field_order = ["text", "on_behalf", "organisation", "declaration_of_interest"]


class ReportForm(forms.Form):
    clause = forms.ModelChoiceField(
        label=_("Which rule does it break?"),
        queryset=PolicyClause.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the rule the comment breaks.")},
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, version: PolicyVersion | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if version is not None:
            clause = self.fields["clause"]
            assert isinstance(clause, forms.ModelChoiceField)
            clause.queryset = version.clauses.all()
