from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def api_token_create(*, user: User | AnonymousUser) -> Token:
    """A new API token for the user; any earlier token stops working at once."""
    assert isinstance(user, User)  # callers sit behind login_required or hold an account already
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def api_token_revoke(*, user: User | AnonymousUser) -> bool:
    assert isinstance(user, User)  # callers sit behind login_required
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
