"""The queue benchmark runs in CI on a small table, so it cannot rot; its figures come from bench/."""

import pytest

from accounts.roles import sync_groups
from bench.moderation_queues import fill, measure
from tests.services import require_postgresql


@pytest.mark.django_db(transaction=True)
def test_the_queue_benchmark_runs_and_every_page_stays_within_its_budget():
    require_postgresql()
    sync_groups()
    fill(3000)
    records = measure(3000, runs=1)
    assert {record["page"] for record in records} >= {"pending", "reported", "all", "comment_page"}
    for record in records:
        assert record["queries"] <= 15, record
        assert record["unbounded_counts"] == 0, record
