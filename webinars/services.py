"""A webinar announces itself: to the subscribers to webinars, once, while it is still to come."""

from datetime import datetime

from notifications.models import Broadcast
from notifications.services.broadcasts import announce_each, announcement_fan_out, not_announced
from webinars.models import Webinar

WEBINAR_ANNOUNCED = "webinar_announced"


def webinar_announce(*, webinar: Webinar) -> Broadcast | None:
    if not webinar.is_upcoming:
        return None
    return announcement_fan_out(
        about=webinar,
        template="webinar-announced",
        context={},
        kind=WEBINAR_ANNOUNCED,
        key=f"webinar-announced:{webinar.pk}",
        audience=Broadcast.Audience.WEBINARS,
    )


def webinars_announce_due(since: datetime) -> int:
    """Announce the upcoming webinars added since ``since`` and not yet announced."""
    due = Webinar.objects.upcoming().filter(not_announced(Webinar, WEBINAR_ANNOUNCED), created_at__gte=since)
    return announce_each(due, lambda webinar: webinar_announce(webinar=webinar))
