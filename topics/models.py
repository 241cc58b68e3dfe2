"""The subjects analyses, webinars and consultations are filed under and subscribers choose from.

The table kept the name it had when Topic lived in ``policies`` (``db_table``), so the move to this app
changed no table and no row. A topic's page is still the policies app's (it lists the analyses filed
under it), reached by URL name, not by import.
"""

from django.db import models
from django.urls import reverse

from core.models import Stamped


class Topic(Stamped):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "policies_topic"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("policies:topic", kwargs={"slug": self.slug})
