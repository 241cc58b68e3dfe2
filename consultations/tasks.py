"""Celery tasks for consultations: thin, by id, safe to run twice."""

from celery import shared_task

from consultations import services
from consultations.attachments import attachment_orphans_remove
from consultations.models import Consultation


@shared_task(name="consultations.send_outcome")
def send_outcome(consultation_id: int) -> int:
    consultation = Consultation.objects.filter(pk=consultation_id, concluded_at__isnull=False).first()
    return services.consultation_send_outcome(consultation=consultation) if consultation else 0


@shared_task(name="consultations.announce_openings")
def announce_openings() -> int:
    due = Consultation.objects.open().filter(opening_announced_at__isnull=True)
    return sum(services.consultation_announce_opening(consultation=consultation) for consultation in due)


@shared_task(name="consultations.remind_drafts")
def remind_drafts() -> int:
    return services.drafts_remind()


@shared_task(name="consultations.remove_expired_personal_data")
def remove_expired_personal_data() -> int:
    removed = services.personal_data_remove_expired()
    # Files whose rows went without them (a process stopped between the two) go here too.
    attachment_orphans_remove()
    return removed
