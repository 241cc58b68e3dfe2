"""Newsletter issues in the admin: Editors compose, preview and test; Newsletter senders send.

The sending controls are plain forms posting to views of their own, so they work without
JavaScript and each checks its permission; the preview is a page of its own, framed by the
issue's page, with a policy that lets it hold the email's inline styles and nothing else.
"""

from datetime import datetime
from typing import Any

from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from csp.decorators import csp
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from notifications.models import NewsletterBlock, NewsletterIssue
from notifications.registry import newsletter_block_source, newsletter_block_sources
from notifications.services import newsletters

SEND_PERMISSION = "notifications.send_newsletterissue"
MAX_TEST_ADDRESSES = 10
# The email's HTML carries inline styles (mail programs need them) and nothing else may run or load.
PREVIEW_CSP = {
    "default-src": [CSP_NONE],
    "style-src": ["'unsafe-inline'"],
    "img-src": [CSP_SELF, "data:"],
    "base-uri": [CSP_NONE],
    "form-action": [CSP_NONE],
    "frame-ancestors": [CSP_SELF],
    "sandbox": ["allow-popups", "allow-popups-to-escape-sandbox"],
}


def item_choices() -> list[tuple[str, Any]]:
    """Every pickable object, grouped by kind, as "source:id" values (one select, no script needed)."""
    groups: list[tuple[str, Any]] = [("", _("Choose an analysis, webinar or consultation"))]
    for source in newsletter_block_sources():
        groups.append((source.label, [(f"{source.key}:{pk}", text) for pk, text in source.choices()]))
    return groups


class NewsletterBlockForm(forms.ModelForm):
    item = forms.ChoiceField(label=_("Content"), choices=())

    class Meta:
        model = NewsletterBlock
        fields = ("position", "item")

    def __init__(self, *args: Any, choices: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ChoiceField)
        item.choices = choices if choices is not None else item_choices()
        if self.instance.pk:
            self.initial["item"] = f"{self.instance.source}:{self.instance.object_id}"
        # A table's column headings label nothing for assistive technology: each field names its row.
        row = (self.prefix or "").rpartition("-")[2]
        row_name = str(int(row) + 1) if row.isdigit() else ""
        for name, text in (("position", _("Position of block %(row)s")), ("item", _("Content of block %(row)s"))):
            self.fields[name].widget.attrs["aria-label"] = text % {"row": row_name}

    def clean_item(self) -> str:
        value = self.cleaned_data["item"]
        key, _sep, pk = value.rpartition(":")
        if newsletter_block_source(key) is None or not pk.isdigit():
            raise ValidationError(_("Choose an analysis, webinar or consultation from the list."))
        return value

    def save(self, commit: bool = True) -> NewsletterBlock:
        key, _sep, pk = self.cleaned_data["item"].rpartition(":")
        self.instance.source, self.instance.object_id = key, int(pk)
        return super().save(commit)


class NewsletterBlockFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The picker's choices read once for all the formset's rows, not once a row.
        kwargs["form_kwargs"] = {**(kwargs.get("form_kwargs") or {}), "choices": item_choices()}
        super().__init__(*args, **kwargs)

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            row = str(index + 1) if index is not None else ""
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Remove block %(row)s") % {"row": row}


class NewsletterBlockInline(admin.TabularInline):
    model = NewsletterBlock
    form = NewsletterBlockForm
    formset = NewsletterBlockFormSet
    extra = 3
    verbose_name = _("content block")
    verbose_name_plural = _("Content blocks: analyses, webinars and open consultations, with their links")

    def _editable(self, obj: NewsletterIssue | None) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class NewsletterIssueForm(forms.ModelForm):
    class Meta:
        model = NewsletterIssue
        fields = (
            "subject",
            "preheader",
            "body",
            "audience",
            "topics",
            "to_all_analyses",
            "to_webinars",
            "to_consultations",
            "test_addresses",
        )
        widgets = {
            "audience": forms.RadioSelect,
            "topics": forms.CheckboxSelectMultiple,
            "test_addresses": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_test_addresses(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["test_addresses"].splitlines() if line.strip()]
        invalid = []
        for line in lines:
            try:
                validate_email(line)
            except ValidationError:
                invalid.append(line)
        if invalid:
            raise ValidationError(
                _("These are not email addresses: %(list)s") % {"list": ", ".join(invalid[:5])}, code="invalid"
            )
        if len(lines) > MAX_TEST_ADDRESSES:
            raise ValidationError(_("Up to %(max)d test addresses, please.") % {"max": MAX_TEST_ADDRESSES})
        return "\n".join(lines)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # ModelForm.clean returns cleaned_data
        chose = data.get("topics") or any(
            data.get(name) for name in ("to_all_analyses", "to_webinars", "to_consultations")
        )
        if data.get("audience") == NewsletterIssue.Audience.SEGMENT and not chose:
            raise ValidationError(
                _("Choose at least one topic or kind of subscription, or send to every confirmed subscriber.")
            )
        if self.instance.pk:
            # Held until the admin's transaction ends, so a send cannot start between this check and the save.
            current = NewsletterIssue.objects.select_for_update().get(pk=self.instance.pk)
            if not current.is_editable:
                raise ValidationError(
                    _("This issue can no longer be changed: it is %(status)s.")
                    % {"status": current.get_status_display().lower()}
                )
        return data


class ScheduleForm(forms.Form):
    send_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a real date, for example 2027-03-31."), "required": _("Enter a date.")},
    )
    send_time = forms.TimeField(
        label=_("Time (UK)"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Enter a time such as 09:30."), "required": _("Enter a time.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # ModelForm.clean returns cleaned_data
        if data.get("send_on") and data.get("send_time") is not None:
            when = timezone.make_aware(datetime.combine(data["send_on"], data["send_time"]))
            if when <= timezone.now():
                raise ValidationError(_("Choose a time in the future, or use “Send now”."))
            data["send_at"] = when
        return data


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(admin.ModelAdmin):
    form = NewsletterIssueForm
    inlines = [NewsletterBlockInline]
    # The kept counts: read from the issue itself, so they stay after its emails are deleted.
    list_display = (
        "subject",
        "status",
        "audience",
        "send_at",
        "started_at",
        "finished_at",
        "recipients_count",
        "sent_count",
        "failed_count",
        "bounced_count",
    )
    list_filter = ("status", "audience")
    search_fields = ("subject",)
    change_form_template = "notifications/admin/newsletterissue_change_form.html"
    fieldsets = (
        (None, {"fields": ("subject", "preheader", "body")}),
        (
            _("Who receives it"),
            {
                "fields": ("audience", "topics", "to_all_analyses", "to_webinars", "to_consultations"),
                "description": _(
                    "Unsubscribed, unconfirmed and suppressed addresses never receive it, whatever is chosen."
                ),
            },
        ),
        (_("Tests"), {"fields": ("test_addresses",)}),
    )

    class Media:
        css = {"all": ("notifications/admin/newsletter.css",)}

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("broadcast")

    def has_change_permission(self, request: HttpRequest, obj: NewsletterIssue | None = None) -> bool:
        # A started issue is shown read-only: it is what was sent.
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: NewsletterIssue | None = None) -> bool:
        return (obj is None or obj.broadcast_id is None) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: NewsletterIssue, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def get_urls(self):
        def view(function, name: str):
            url_name = f"notifications_newsletterissue_{name.replace('-', '_')}"
            return path(f"<int:pk>/{name}/", self.admin_site.admin_view(function), name=url_name)

        return [
            view(self.preview_view, "preview"),
            view(self.send_test_view, "send-test"),
            view(self.send_view, "send"),
            view(self.schedule_view, "schedule"),
            view(self.cancel_view, "cancel"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None):
        issue = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if issue is not None and self.has_view_permission(request, issue):
            extra.update(self.sending_context(request, issue, ScheduleForm()))
        return super().change_view(request, object_id, form_url, extra)

    def sending_context(self, request: HttpRequest, issue: NewsletterIssue, schedule_form: ScheduleForm) -> dict:
        preview = newsletters.newsletter_preview(issue, email=_address(request))
        return {
            "issue": issue,
            "may_send": request.user.has_perm(SEND_PERMISSION),
            "recipient_count": newsletters.newsletter_recipient_count(issue) if issue.is_editable else None,
            "stats": newsletters.newsletter_stats(issue) if issue.broadcast_id else None,
            "preview": preview,
            "schedule_form": schedule_form,
            "test_addresses": [a for a in [getattr(request.user, "email", ""), *issue.test_address_list()] if a],
        }

    def _issue(self, request: HttpRequest, pk: int) -> NewsletterIssue:
        issue = get_object_or_404(NewsletterIssue, pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return issue

    def _back(self, issue: NewsletterIssue) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:notifications_newsletterissue_change", args=[issue.pk]))

    def _require_sender(self, request: HttpRequest) -> None:
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied

    @method_decorator(xframe_options_sameorigin)
    @method_decorator(csp(PREVIEW_CSP))
    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The email's HTML alone, for the issue's page to frame at a phone's and a desktop's width."""
        issue = self._issue(request, pk)
        return HttpResponse(newsletters.newsletter_preview(issue, email=_address(request)).html)

    def send_test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        issue = self._issue(request, pk)
        if not (super().has_change_permission(request, issue) or request.user.has_perm(SEND_PERMISSION)):
            raise PermissionDenied
        count = newsletters.newsletter_send_test(issue=issue, user=request.user)
        if count:
            messages.success(request, _("A test copy is on its way to %(count)d address(es).") % {"count": count})
        else:
            messages.error(request, _("No test was sent: add your own address to your account or a test address."))
        return self._back(issue)

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Asks first, saying to how many, then sends on the confirming press."""
        if request.method != "POST":
            raise Http404
        self._require_sender(request)
        issue = self._issue(request, pk)
        if "confirm" not in request.POST and issue.is_editable:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "issue": issue,
                "title": _("Send “%(subject)s” now?") % {"subject": issue.subject},
                "recipient_count": newsletters.newsletter_recipient_count(issue),
            }
            return TemplateResponse(request, "notifications/admin/newsletterissue_send_confirm.html", context)
        if newsletters.newsletter_send(issue_id=issue.pk, user=request.user):  # type: ignore[arg-type]
            messages.success(request, _("Sending has started. Counts below update as the emails go."))
        else:
            messages.warning(request, _("Nothing was sent: this issue had already started sending, or was cancelled."))
        return self._back(issue)

    def schedule_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        self._require_sender(request)
        issue = self._issue(request, pk)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return self._schedule_errors(request, issue, form)
        if newsletters.newsletter_schedule(issue_id=issue.pk, send_at=form.cleaned_data["send_at"]):
            when = timezone.localtime(form.cleaned_data["send_at"])
            messages.success(request, _("Scheduled for %(when)s (UK time).") % {"when": f"{when:%-d %B %Y, %H:%M}"})
        else:
            messages.warning(request, _("Not scheduled: this issue had already started sending, or was cancelled."))
        return self._back(issue)

    def _schedule_errors(self, request: HttpRequest, issue: NewsletterIssue, form: ScheduleForm) -> HttpResponse:
        """The issue's page again, the schedule form showing its errors and what was typed."""
        self.message_user(request, _("The issue was not scheduled: correct the time below."), messages.ERROR)
        request.method = "GET"
        response = super().change_view(request, str(issue.pk), extra_context=self.sending_context(request, issue, form))
        response.status_code = 400
        return response

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        self._require_sender(request)
        issue = self._issue(request, pk)
        if newsletters.newsletter_cancel(issue_id=issue.pk):
            messages.success(request, _("The issue was cancelled. Nothing was sent."))
        else:
            messages.warning(request, _("Too late to cancel: this issue has started sending."))
        return self._back(issue)


def _address(request: HttpRequest) -> str:
    """Whose links the preview shows: the viewer's own, so following one changes nothing of a subscriber's."""
    return getattr(request.user, "email", "") or "preview@example.invalid"
