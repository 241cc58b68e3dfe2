from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses: Markdown, the stamped base model and admin, the API's shared parts, the client
    address and rate limits, the site's address, personal-data helpers. It imports no other app of ours."""

    name = "core"
    verbose_name = "Core"
