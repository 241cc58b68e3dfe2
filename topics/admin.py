from django.contrib import admin

from core.admin import StampedAdmin
from topics.models import Topic


@admin.register(Topic)
class TopicAdmin(StampedAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
