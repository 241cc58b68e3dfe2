import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.helpers import ActionForm
from django.core import signing
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from comments.decisions import NEEDS_CLAUSE, Action
from comments.models import Comment, ResponseStatus
from core.forms import ErrorSummaryMixin
from core.validators import DeliverableEmailField
from moderation.models import Ban, PolicyClause, PolicyVersion
from moderation.selectors import current_clauses

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
            error_messages={
                "required": _("Enter your comment"),
                "max_length": _("Your comment must be %(limit_value)s characters or fewer"),
            },
            **kwargs,
        )

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value.strip():
            raise forms.ValidationError(self.error_messages["required"], code="required")


class CommentTextMixin(forms.Form):
    text = CommentTextField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Built again per form so that a changed COMMENTS_MAX_LENGTH applies without a restart.
        self.fields["text"] = CommentTextField()


class OrganisationMixin(forms.Form):
    """On behalf of an organisation: its name and a declaration of interest, both then required."""

    on_behalf = forms.BooleanField(label=_("I am responding on behalf of an organisation"), required=False)
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("The organisation's name must be %(limit_value)s characters or fewer")},
    )
    declaration_of_interest = forms.CharField(
        label=_("Declaration of interest"),
        max_length=1000,
        required=False,
        error_messages={"max_length": _("The declaration must be %(limit_value)s characters or fewer")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Funding, membership or other interests readers should know about. Write “None” if none."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("on_behalf"):
            if not (data.get("organisation") or "").strip():
                self.add_error("organisation", _("Enter the name of the organisation"))
            if not (data.get("declaration_of_interest") or "").strip():
                self.add_error("declaration_of_interest", _("Declare any interest, or write “None”"))
        else:
            data["organisation"] = data["declaration_of_interest"] = ""
        return data


class CommentForm(ErrorSummaryMixin, CommentTextMixin, OrganisationMixin):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        error_messages={
            "required": _("Enter your name"),
            "max_length": _("Your name must be %(limit_value)s characters or fewer"),
        },
    )
    email = DeliverableEmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    accept_policy = forms.BooleanField(
        label=_("I have read and accept the comment policy"),
        error_messages={"required": _("Tick the box to agree to the comment policy")},
    )
    notify_replies = forms.BooleanField(label=_("Email me when someone replies"), required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # A field people never meet: the template puts it off screen, out of the tab order and in an inert,
    # aria-hidden wrapper, out of reach of keyboard, pointer, autofill and screen readers. Robots that
    # fill every input in the HTML still fill it, and their comment goes to the spam queue.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    issued = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["name", "email", "text", "accept_policy", "notify_replies", "on_behalf", "organisation"]

    def __init__(self, *args, target: models.Model, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["name"].widget.attrs["autocomplete"] = "name"
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


class CommentEditForm(ErrorSummaryMixin, CommentTextMixin, OrganisationMixin):
    field_order = ["text", "on_behalf", "organisation", "declaration_of_interest"]


class ReportForm(ErrorSummaryMixin, forms.Form):
    clause = forms.ModelChoiceField(
        label=_("Which rule does it break?"),
        queryset=PolicyClause.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Select the rule the comment breaks"),
            "invalid_choice": _("Select one of the rules listed"),
        },
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Your note must be %(limit_value)s characters or fewer")},
    )

    def __init__(self, *args, version: PolicyVersion | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if version is not None:
            clause = self.fields["clause"]
            assert isinstance(clause, forms.ModelChoiceField)
            clause.queryset = version.clauses.all()


# --- Forms moderators fill in: decisions (one or many), the team's response and reply, bans ---------


class ClauseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PolicyClause) -> str:
        return f"{obj.number}. {obj.title}"


def set_clause_choices(form: forms.BaseForm, clauses: QuerySet[PolicyClause]) -> None:
    field = form.fields["clause"]
    assert isinstance(field, ClauseChoiceField)
    field.queryset = clauses


class DecisionActionForm(ActionForm):
    """The changelist's action bar: a rejection there cites a clause like one made on the comment's page."""

    clause = ClauseChoiceField(
        queryset=PolicyClause.objects.none(), required=False, label=_("Clause"), empty_label=_("(clause)")
    )
    note = forms.CharField(required=False, label=_("Note for the commenter"), max_length=1000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        set_clause_choices(self, current_clauses())


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=Action.choices, widget=forms.HiddenInput)
    seen_status = forms.ChoiceField(choices=Comment.Status.choices, widget=forms.HiddenInput)
    clause = ClauseChoiceField(
        queryset=PolicyClause.objects.none(),
        required=False,
        label=_("Policy clause"),
        help_text=_("Needed to reject or remove; the commenter is told which clause."),
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Note for the commenter"),
        help_text=_("Optional; sent with a rejection."),
    )

    def __init__(self, *args, comment: Comment, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        set_clause_choices(self, PolicyClause.objects.filter(version_id=comment.policy_version_id))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") in NEEDS_CLAUSE and not data.get("clause"):
            self.add_error("clause", _("Choose the clause of the comment policy that the comment breaks."))
        return data


class ResponseForm(forms.Form):
    status = forms.ChoiceField(choices=ResponseStatus.choices, label=_("The policy team's response"))


class OfficialReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply as the policy team"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Published at once under the comment, with the “Policy team” badge."),
    )


class BanForm(forms.ModelForm):
    reject_pending = forms.BooleanField(
        required=False, label=_("Also reject this author's pending comments"), initial=False
    )
    clause = ClauseChoiceField(
        queryset=PolicyClause.objects.none(),
        required=False,
        label=_("Clause for those rejections"),
    )

    class Meta:
        model = Ban
        fields = ["kind", "value", "user", "until", "reason"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        set_clause_choices(self, current_clauses())

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == Ban.Kind.ACCOUNT and not data.get("user"):
            self.add_error("user", _("Choose the account to ban."))
        if kind and kind != Ban.Kind.ACCOUNT and not (data.get("value") or "").strip():
            self.add_error("value", _("Give the address, domain or IP hash to ban."))
        if data.get("reject_pending") and not data.get("clause"):
            self.add_error("clause", _("Choose the clause the pending comments break."))
        return data


class ReviewRequestForm(ErrorSummaryMixin, forms.Form):
    """The author of a comment the automatic checks rejected asks a moderator to read it."""

    note = forms.CharField(
        label=_("Why should it be published? (optional)"),
        help_text=_("The moderator reads this beside your comment."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Your note must be %(limit_value)s characters or fewer")},
    )
