from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from core.client_address import client_address
from core.validators import validate_deliverable_email


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's login and signup limits count per client, the same address every other limit uses."""
        return client_address(request) or super().get_client_ip(request)

    def clean_email(self, email: str) -> str:
        """Signing up or adding an address takes only one that mail servers accept, as every other form does."""
        validate_deliverable_email(email)
        return super().clean_email(email)
