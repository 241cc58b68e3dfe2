from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from anymail.signals import inbound, tracking
        from celery.signals import worker_process_shutdown

        from accounts.personal_data import personal_data_part_register
        from notifications import personal_data, receivers, sent_marks, tasks  # noqa: F401 (tasks: by name)

        tracking.connect(receivers.tracking_received, dispatch_uid="notifications.tracking_received")
        inbound.connect(receivers.inbound_received, dispatch_uid="notifications.inbound_received")
        worker_process_shutdown.connect(
            sent_marks.close_on_worker_process_shutdown, dispatch_uid="notifications.close_marking_connection"
        )
        # accounts gathers the outbox's share of a person's data without importing notifications.
        personal_data_part_register("notifications", personal_data)
