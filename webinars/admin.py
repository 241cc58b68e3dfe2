from django.contrib import admin

from core.admin import StampedAdmin
from core.admin_widgets import SafeAutocompleteMixin
from webinars.models import Appearance, Quote, Speaker, Webinar


class AppearanceInline(SafeAutocompleteMixin, admin.TabularInline):
    model = Appearance
    extra = 0
    autocomplete_fields = ("speaker",)


@admin.register(Webinar)
class WebinarAdmin(StampedAdmin):
    list_display = ("title", "starts_at", "status")
    list_filter = ("topics",)
    search_fields = ("title", "description")
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("topics",)
    inlines = (AppearanceInline,)


@admin.register(Speaker)
class SpeakerAdmin(StampedAdmin):
    list_display = ("full_name", "role", "organisation")
    search_fields = ("name", "honorific", "role", "organisation")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Quote)
class QuoteAdmin(StampedAdmin):
    list_display = ("__str__", "webinar", "said_on")
    list_filter = ("webinar",)
    list_select_related = ("speaker", "webinar")
    search_fields = ("text", "speaker__name", "context")
    autocomplete_fields = ("speaker", "webinar")


@admin.register(Appearance)
class AppearanceAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ("speaker", "webinar", "role", "order")
    list_select_related = ("speaker", "webinar")
    autocomplete_fields = ("speaker", "webinar")
