from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.client_address import client_address
from core.validators import validate_deliverable_email


class AccountAdapter(DefaultAccountAdapter):
    # In the site's words: say what is wrong and what to do, without "and/or" or "Please".
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _("The email address or the password is not right"),
        # Raised when the current password typed is wrong; an empty box gets "Enter your current password".
        "enter_current_password": _("The current password is not right"),
        "incorrect_password": _("The current password is not right"),
        "invalid_password_reset": _("This reset link has expired or has already been used"),
        "cannot_remove_primary_email": _("You cannot remove your main address: make another one main first"),
    }

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's login and signup limits count per client, the same address every other limit uses."""
        return client_address(request) or super().get_client_ip(request)

    def clean_email(self, email: str) -> str:
        """Signing up or adding an address takes only one that mail servers accept, as every other form does."""
        validate_deliverable_email(email)
        return super().clean_email(email)
