from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "topics"

    def ready(self) -> None:
        from core.page_cache import watch_app

        watch_app("topics", tag="topics")
