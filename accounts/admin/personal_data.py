"""The staff side of personal-data requests: export, erase (after a confirmation) and the read-only log."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from accounts.forms import AddressForm, ErasureConfirmForm
from accounts.models import PersonalDataRequest
from accounts.personal_data import (
    data_subject_find,
    personal_data_counts,
    personal_data_erase,
    personal_data_export_logged,
)
from accounts.views import export_download
from core.personal_data import address_hash

HANDLE = "accounts.handle_personaldatarequest"


@admin.register(PersonalDataRequest)
class PersonalDataRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "by_subject", "requested_by", "address_hint", "summary")
    list_filter = ("kind", "by_subject")
    list_select_related = ("requested_by",)
    search_fields = ("address_hash",)
    search_help_text = _("Enter an email address to find the requests made for it.")
    date_hierarchy = "created_at"
    change_list_template = "admin/accounts/personaldatarequest/change_list.html"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(HANDLE) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) or super().has_module_permission(request)

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        # The log holds hashes only: hash what was typed, so the address itself is searchable.
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(address_hash__in={address_hash(term), term.lower()}), False

    @admin.display(description=_("address (hashed)"))
    def address_hint(self, request_row: PersonalDataRequest) -> str:
        return f"{request_row.address_hash[:10]}…"

    @admin.display(description=_("records"))
    def summary(self, request_row: PersonalDataRequest) -> str:
        return ", ".join(f"{kind.replace('_', ' ')}: {count}" for kind, count in request_row.counts.items() if count)

    def get_urls(self):
        # admin_view also marks the pages never_cache.
        own = [
            path("export/", self.admin_site.admin_view(self.export_view), name="accounts_personal_data_export"),
            path("erase/", self.admin_site.admin_view(self.erase_view), name="accounts_personal_data_erase"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {**(extra_context or {}), "can_handle": request.user.has_perm(HANDLE)}
        return super().changelist_view(request, extra_context)

    def _context(self, request: HttpRequest, **context) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **context}

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(HANDLE):
            raise PermissionDenied
        form = AddressForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            subject = data_subject_find(email=form.cleaned_data["email"])
            return export_download(personal_data_export_logged(subject=subject, actor=request.user))
        context = self._context(request, form=form, title=_("Export someone's personal data"))
        return TemplateResponse(request, "admin/accounts/personaldatarequest/export.html", context)

    def erase_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(HANDLE):
            raise PermissionDenied
        title = _("Erase someone's personal data")
        if request.method == "POST" and "confirm_step" in request.POST:
            confirm = ErasureConfirmForm(request.POST)
            if confirm.is_valid():
                subject = data_subject_find(email=confirm.cleaned_data["email"])
                personal_data_erase(subject=subject, actor=request.user)
                messages.success(request, _("The personal data held under that address has been erased."))
                return redirect(reverse("admin:accounts_personaldatarequest_changelist"))
            return self._confirmation(request, confirm, confirm.data.get("email", ""), title)
        form = AddressForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            return self._confirmation(request, ErasureConfirmForm(initial={"email": email}), email, title)
        context = self._context(request, form=form, title=title)
        return TemplateResponse(request, "admin/accounts/personaldatarequest/erase.html", context)

    def _confirmation(self, request: HttpRequest, form: ErasureConfirmForm, email: str, title: str) -> HttpResponse:
        subject = data_subject_find(email=email)
        counts = personal_data_counts(subject=subject)
        context = self._context(request, form=form, title=title, subject=subject, counts=counts)
        return TemplateResponse(request, "admin/accounts/personaldatarequest/erase_confirm.html", context)
