"""Start-up checks: attachments must live where no public URL reaches them."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


def _inside(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


@register()
def attachments_outside_public_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    options = settings.STORAGES.get("consultation_attachments", {}).get("OPTIONS", {})
    location = options.get("location")
    if not location:
        return []
    place = Path(location).resolve()
    public = [settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS]
    for root in filter(None, public):
        if _inside(place, Path(root).resolve()):
            return [
                Error(
                    f"Consultation attachments are stored in {place}, inside the public files at {root}.",
                    hint="Set CONSULTATION_ATTACHMENTS_ROOT to a folder outside MEDIA_ROOT and STATIC_ROOT.",
                    id="consultations.E001",
                )
            ]
    return []
