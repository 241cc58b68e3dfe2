from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy


class ApiToken(TokenProxy):
    """A user's API token as staff see it in the admin: named by its owner, never by its key,
    so the key stays out of the admin's history and confirmation pages."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return str(_("API token of %(user)s") % {"user": self.user})


class PersonalDataRequest(models.Model):
    """One export or erasure of someone's personal data: who asked, when, and for which address.

    The address is kept only as its keyed hash, because this log outlives the erasure; staff
    can still answer "did this address ask?" by searching the list with the address.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASURE = "erasure", _("Erasure")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    address_hash = models.CharField(max_length=64, db_index=True)
    by_subject = models.BooleanField(
        _("made by the person themselves"), default=False, help_text=_("From their account page, signed in.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The member of staff; empty for a person who erased their own account."),
    )
    counts = models.JSONField(default=dict, blank=True, help_text=_("How many records of each kind were involved."))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("personal data request")
        permissions = [("handle_personaldatarequest", _("Can export and erase anyone's personal data"))]

    def __str__(self) -> str:
        return _("%(kind)s on %(date)s") % {
            "kind": self.get_kind_display(),
            "date": f"{self.created_at:%Y-%m-%d %H:%M}",
        }
