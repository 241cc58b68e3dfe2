from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from config.client_address import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's login and signup limits count per client, the same address every other limit uses."""
        return client_address(request) or super().get_client_ip(request)
