from django.apps import AppConfig


class WebinarsConfig(AppConfig):
    name = "webinars"
