from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"

    def ready(self) -> None:
        from consultations import checks  # noqa: F401  registers the system checks
