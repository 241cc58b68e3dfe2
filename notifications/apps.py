from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from anymail.signals import inbound, tracking

        from accounts.personal_data import personal_data_part_register
        from notifications import personal_data, receivers, tasks  # noqa: F401 (tasks: registers them by name)

        tracking.connect(receivers.tracking_received, dispatch_uid="notifications.tracking_received")
        inbound.connect(receivers.inbound_received, dispatch_uid="notifications.inbound_received")
        # accounts gathers the outbox's share of a person's data without importing notifications.
        personal_data_part_register("notifications", personal_data)
