import csv
import io
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.forms import ChoicesForm
from notifications.models import Broadcast, Delivery, Job, Subscriber, SubscriberQuerySet, Suppression
from notifications.redaction import secret_links_redact
from notifications.services import deliveries_retry
from notifications.services.jobs import jobs_retry
from notifications.services.subscribers import subscribers_import

# What an email said: its bodies carry private answers, its bodies and headers secret links.
SECRET_FIELDS = ("id", "subject", "body_text", "body_html", "headers", "last_error", "claim_token")
CONTENT_PERMISSION = "notifications.view_delivery_content"

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "stream", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind", "stream")
    search_fields = ("^recipient",)
    date_hierarchy = "created_at"
    actions = ("retry",)
    change_list_template = "notifications/admin/delivery_change_list.html"
    # Who got what kind of email, when, and why it failed; never what it said (see get_fieldsets).
    readonly_fields = (
        *(field.name for field in Delivery._meta.fields if field.name not in SECRET_FIELDS),
        "subject_shown",
        "failure",
        "text_shown",
        "headers_shown",
    )
    fieldsets = (
        (None, {"fields": ("recipient", "kind", "stream", "status", "idempotency_key", "content_type", "object_id")}),
        (_("Message"), {"fields": ("subject_shown", "broadcast")}),
        (
            _("Sending"),
            {"fields": ("attempts", "failure", "created_at", "dispatched_at", "claimed_at", "next_attempt_at")},
        ),
        (_("Sent"), {"fields": ("sent_at",)}),
    )
    content_fieldset = (
        _("What it said"),
        {
            "fields": ("text_shown", "headers_shown"),
            "description": _("Private links are hidden, whoever reads this."),
        },
    )
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_fieldsets(self, request: HttpRequest, obj: Delivery | None = None):
        if request.user.has_perm(CONTENT_PERMISSION):
            return (*self.fieldsets, self.content_fieldset)
        return self.fieldsets

    @admin.display(description=_("subject"))
    def subject_shown(self, delivery: Delivery) -> str:
        return secret_links_redact(delivery.subject)

    @admin.display(description=_("last error"))
    def failure(self, delivery: Delivery) -> str:
        return secret_links_redact(delivery.last_error)

    @admin.display(description=_("plain-text body"))
    def text_shown(self, delivery: Delivery) -> str:
        text = delivery.broadcast.body_text if delivery.broadcast is not None else delivery.body_text
        return format_html("<pre>{}</pre>", secret_links_redact(text))

    @admin.display(description=_("headers"))
    def headers_shown(self, delivery: Delivery) -> str:
        lines = (f"{name}: {value}" for name, value in sorted(delivery.headers.items()))
        return format_html("<pre>{}</pre>", secret_links_redact("\n".join(lines)))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        counts = Delivery.objects.counts_by_status()
        status_counts = [(value, label, counts.get(value, 0)) for value, label in Delivery.Status.choices]
        return super().changelist_view(request, {**(extra_context or {}), "status_counts": status_counts})

    @admin.action(description=_("Retry the selected failed deliveries"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = deliveries_retry(deliveries=queryset)
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
            % {"count": count},
        )


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "audience", "recipients", "created_at", "fanned_out_at")
    list_filter = ("kind", "audience")
    readonly_fields = [field.name for field in Broadcast._meta.fields if field.name != "id"]
    exclude = ("body_html",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class JobStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, "StrPromise"]]:
        return [("waiting", _("Waiting or running")), ("gave_up", _("Gave up")), ("finished", _("Finished"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        limit = settings.NOTIFICATIONS_MAX_ATTEMPTS
        unfinished = queryset.filter(finished_at__isnull=True)
        return {
            "waiting": unfinished.filter(attempts__lt=limit),
            "gave_up": unfinished.filter(attempts__gte=limit),
            "finished": queryset.filter(finished_at__isnull=False),
        }.get(self.value() or "", queryset)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Deferred effects (outcome emails, digest batches): read-only, with a way to try again one that gave up."""

    list_display = ("key", "task", "state", "attempts", "created_at", "dispatched_at", "finished_at")
    list_filter = (JobStateFilter, "task")
    search_fields = ("key",)
    readonly_fields = [field.name for field in Job._meta.fields if field.name != "id"]
    actions = ["retry"]

    @admin.display(description=_("state"))
    def state(self, job: Job) -> str:
        if job.finished_at:
            return str(_("Finished"))
        if job.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            return str(_("Gave up"))
        return str(_("Waiting or running"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

    @admin.action(description=_("Try again the selected jobs that gave up"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = jobs_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d job will run again at the next sweep.",
                "%(count)d jobs will run again at the next sweep.",
                count,
            )
            % {"count": count},
        )


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("confirmed", _("Confirmed")), ("pending", _("Waiting for confirmation")), ("left", _("Unsubscribed")))

    def queryset(self, request, queryset):
        if self.value() == "confirmed":
            return queryset.confirmed()
        if self.value() == "pending":
            return queryset.filter(confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        if self.value() == "left":
            return queryset.filter(unsubscribed_at__isnull=False)
        return queryset


class ImportForm(ChoicesForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One address per row, in the first column or a column headed “email”. Up to 5,000 rows."),
    )
    MAX_ROWS = 5000

    def clean_file(self) -> list[str]:
        upload = self.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file must be CSV saved as UTF-8.")) from None
        rows = list(csv.reader(io.StringIO(text)))
        if (
            rows
            and rows[0]
            and rows[0][0].strip().lower() != "email"
            and "email" in [c.strip().lower() for c in rows[0]]
        ):
            column = [c.strip().lower() for c in rows[0]].index("email")
        else:
            column = 0
        addresses, invalid = [], []
        for row in rows:
            value = row[column].strip() if len(row) > column else ""
            if not value or value.lower() == "email":
                continue
            try:
                validate_email(value)
            except ValidationError:
                invalid.append(value)
            else:
                addresses.append(value)
        if invalid:
            raise ValidationError(
                _("These are not email addresses: %(list)s") % {"list": ", ".join(invalid[:10])}, code="invalid"
            )
        if not addresses:
            raise ValidationError(_("The file holds no email addresses."))
        if len(addresses) > self.MAX_ROWS:
            raise ValidationError(_("Up to %(max)d addresses at a time, please.") % {"max": self.MAX_ROWS})
        return addresses


def _csv_cell(value: str) -> str:
    # A cell starting with these is run as a formula by spreadsheet programs.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "frequency", "all_analyses", "webinars", "consultations", "created_at")
    list_filter = (ConfirmedFilter, "frequency", "topics", "all_analyses", "webinars", "consultations")
    search_fields = ("email",)
    filter_horizontal = ("topics",)
    readonly_fields = ("confirmed_at", "unsubscribed_at", "link_sent_at", "created_at", "updated_at")
    raw_id_fields = ("user",)
    actions = ("export_confirmed",)
    change_list_template = "notifications/admin/subscriber_change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="notifications_subscriber_import"), *super().get_urls()]

    @admin.action(description=_("Export the confirmed ones as CSV"), permissions=["view"])
    def export_confirmed(self, request: HttpRequest, queryset: SubscriberQuerySet) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{timezone.now():%Y-%m-%d}.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "frequency", "all_analyses", "topics", "webinars", "consultations", "confirmed_at"])
        for subscriber in queryset.confirmed().prefetch_related("topics").order_by("email").iterator(chunk_size=2000):
            assert subscriber.confirmed_at is not None  # confirmed() keeps these only
            writer.writerow(
                [
                    _csv_cell(subscriber.email),
                    subscriber.frequency,
                    subscriber.all_analyses,
                    "; ".join(topic.name for topic in subscriber.topics.all()),
                    subscriber.webinars,
                    subscriber.consultations,
                    subscriber.confirmed_at.isoformat(),
                ]
            )
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            count = subscribers_import(emails_to_add=form.cleaned_data["file"], choices=form.choices())
            messages.success(
                request,
                ngettext(
                    "%(count)d address was sent a confirmation email.",
                    "%(count)d addresses were sent a confirmation email.",
                    count,
                )
                % {"count": count},
            )
            return redirect(reverse("admin:notifications_subscriber_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Import subscribers"),
        }
        return TemplateResponse(request, "notifications/admin/subscriber_import.html", context)


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ("email", "reason", "created_at")
    list_filter = ("reason",)
    search_fields = ("email",)


# Registers the newsletter issues' admin (kept in its own module for size).
from notifications import newsletter_admin  # noqa: E402, F401
