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
