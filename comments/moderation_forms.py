"""Forms moderators fill in: decisions (one or many), the team's response and reply, bans."""

from typing import Any

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from comments.models import Ban, Comment, PolicyClause, PolicyVersion, ResponseStatus
from comments.services import NEEDS_CLAUSE, Action


def current_clauses() -> QuerySet[PolicyClause]:
    current = PolicyVersion.objects.in_force().order_by("-effective_at", "-number").values("pk")[:1]
    return PolicyClause.objects.filter(version_id=Subquery(current)).order_by("number")


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
