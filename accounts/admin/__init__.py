"""The site-wide admin settings (the sign-in form, API keys, "view on site"); ``personal_data`` registers the
personal-data requests."""

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from accounts.admin import personal_data  # noqa: F401  importing it registers the personal-data requests
from accounts.forms import AdminLoginForm
from accounts.models import ApiToken
from accounts.services import api_token_create
from core.admin_widgets import SafeAutocompleteMixin

admin.site.login_form = AdminLoginForm

# DRF's own admin lists every key in full, and anyone who can read a key can act as its owner.
admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class ApiTokenAdmin(SafeAutocompleteMixin, TokenAdmin):
    list_display = ("user", "key_hint", "created")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)

    @admin.display(description=_("key"))
    def key_hint(self, token: ApiToken) -> str:
        return f"{token.key[:4]}…"

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        token = api_token_create(user=obj.user)
        obj.key, obj.created = token.key, token.created
        # Shown once, so the member of staff can pass it on; afterwards the list only hints at it.
        messages.info(request, _("The new API token for %(user)s is %(key)s") % {"user": obj.user, "key": token.key})

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue=None) -> HttpResponse:
        return self.response_post_save_add(request, obj)


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "View on site" redirect, for an object whose admin offers that button to this user.

    Django's own redirect serves any member of staff for any model with ``get_absolute_url``,
    and some of those URLs are secrets (a consultation response's private link).
    """
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None:  # a content type left behind by a model that is gone
        raise Http404
    try:
        model_admin = admin.site.get_model_admin(model)
    except NotRegistered:
        raise Http404 from None
    if not model_admin.view_on_site or not model_admin.has_view_permission(request):
        raise Http404
    return shortcut(request, content_type_id, object_id)
