"""Signed links: the tokens are Django's own signing format, however they are made."""

import pytest
import time_machine
from django.core import signing

from notifications import tokens


@pytest.mark.parametrize("purpose", [tokens.CONFIRM, tokens.PREFERENCES, tokens.UNSUBSCRIBE])
def test_a_token_is_what_djangos_signing_makes_and_reads_back(purpose, settings):
    settings.SECRET_KEY = "a-secret-key-for-this-test-only-" + "x" * 30
    with time_machine.travel("2026-12-07 09:00:00Z", tick=False):
        token = tokens.make(purpose, "reader@example.org")

        assert token == signing.dumps("reader@example.org", salt=purpose)
        assert tokens.read(purpose, token) == "reader@example.org"


def test_a_token_for_one_purpose_or_key_is_refused_for_another(settings):
    token = tokens.make(tokens.PREFERENCES, "reader@example.org")

    with pytest.raises(tokens.BadToken):
        tokens.read(tokens.UNSUBSCRIBE, token)
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    with pytest.raises(tokens.BadToken):
        tokens.read(tokens.PREFERENCES, token)
