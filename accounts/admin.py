from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from accounts.models import ApiToken
from accounts.services import api_token_create

# DRF's own admin lists every key in full, and anyone who can read a key can act as its owner.
admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class ApiTokenAdmin(TokenAdmin):
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


from accounts import personal_data_admin  # noqa: E402, F401 (registers the personal-data requests)
