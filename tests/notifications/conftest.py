import pytest


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache):
    """Throttles and the send-rate window live in the cache; each test starts with none."""


@pytest.fixture(autouse=True)
def _staff_groups(request):
    """Transactional tests that ran earlier (live server, real workers) end with a flush, which
    empties the groups the migrations made; the staff personas here need them."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    from django.contrib.auth.models import Group

    from accounts.roles import EDITORS, sync_groups

    if not Group.objects.filter(name=EDITORS).exists():
        sync_groups()
