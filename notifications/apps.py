from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from anymail.signals import inbound, tracking

        from notifications import receivers, tasks  # noqa: F401 (tasks: registers them by name)

        tracking.connect(receivers.tracking_received, dispatch_uid="notifications.tracking_received")
        inbound.connect(receivers.inbound_received, dispatch_uid="notifications.inbound_received")
