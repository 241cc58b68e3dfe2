"""Ranking statements written once per shape of search and run with each search's own values."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from policies.models import PolicyAnalysis
from search import postgres, selectors, statements
from search.selectors import SOURCES, Criteria, site_search
from tests.factories import AnalysisFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements are kept where the driver takes moments as they are"
)


@pytest.fixture(autouse=True)
def _no_statement_kept():
    statements.forget()
    yield
    statements.forget()


class Writer:
    """A statement of published analyses by title, counting how often it is written."""

    def __init__(self) -> None:
        self.times = 0

    def __call__(self, marked):
        self.times += 1
        return PolicyAnalysis.objects.published().filter(title=marked["text"]).values_list("slug", flat=True)


def slugs(writer: Writer, title: str) -> list[str]:
    return [slug for (slug,) in statements.rows("titles", {"text": title}, writer)]


@on_postgresql
def test_a_statement_is_written_once_and_run_with_each_searchs_values():
    AnalysisFactory(title="Sarcoma services", slug="sarcoma")
    AnalysisFactory(title="Biobank plans", slug="biobank")
    writer = Writer()

    assert slugs(writer, "Sarcoma services") == ["sarcoma"]
    assert slugs(writer, "Biobank plans") == ["biobank"]
    assert slugs(writer, "Nothing of the kind") == []
    assert writer.times == 1


@on_postgresql
def test_a_statement_holding_another_moment_is_written_for_every_search():
    AnalysisFactory(title="Screening", slug="screening")
    since = timezone.now() - timedelta(days=30)

    def write(marked):
        write.times += 1  # type: ignore[attr-defined]
        return PolicyAnalysis.objects.filter(title=marked["text"], publish_at__gte=since).values_list("slug")

    write.times = 0  # type: ignore[attr-defined]
    for _ in range(2):
        assert statements.rows("since", {"text": "Screening"}, write) == [("screening",)]
    # The markers were tried once; then each search wrote its own.
    assert write.times == 3  # type: ignore[attr-defined]


@on_postgresql
def test_a_statement_that_changes_a_value_is_written_with_each_searchs_own():
    AnalysisFactory(title="Sarcoma services", slug="sarcoma")
    AnalysisFactory(title="Biobank plans", slug="biobank")

    def write(marked):
        write.texts.append(marked["text"])  # type: ignore[attr-defined]
        # The statement holds "%text%", which no marker can stand for.
        return PolicyAnalysis.objects.filter(title__icontains=marked["text"]).values_list("slug")

    write.texts = []  # type: ignore[attr-defined]
    assert statements.rows("containing", {"text": "sarcoma"}, write) == [("sarcoma",)]
    assert statements.rows("containing", {"text": "biobank"}, write) == [("biobank",)]
    # The markers were tried once; then each search's own text.
    assert write.texts[1:] == ["sarcoma", "biobank"]  # type: ignore[attr-defined]


@on_postgresql
def test_a_value_set_or_not_is_another_shape():
    AnalysisFactory(title="Screening", slug="screening")

    def write(marked):
        rows = PolicyAnalysis.objects.filter(title=marked["text"])
        if marked["topic"] is not None:
            rows = rows.filter(topics__pk=marked["topic"])
        return rows.values_list("slug")

    assert statements.rows("topic", {"text": "Screening", "topic": None}, write) == [("screening",)]
    assert statements.rows("topic", {"text": "Screening", "topic": 1}, write) == []
    assert len(statements._kept) == 2


def scheduled_analysis_found_once_its_time_comes(writer: Writer) -> None:
    AnalysisFactory(title="Screening", slug="later", publish_at=timezone.now() + timedelta(hours=1))

    assert slugs(writer, "Screening") == []
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert slugs(writer, "Screening") == ["later"]


@on_postgresql
def test_the_clock_is_read_again_each_time_a_kept_statement_runs():
    writer = Writer()
    scheduled_analysis_found_once_its_time_comes(writer)
    assert writer.times == 1


def test_where_the_driver_takes_moments_as_text_every_statement_is_written_again(monkeypatch):
    # As SQLite's backend gives them, whichever database runs the test.
    as_text = connection.ops.adapt_datetimefield_value
    if connection.vendor == "postgresql":
        monkeypatch.setattr(
            connection.ops, "adapt_datetimefield_value", lambda value: None if value is None else str(as_text(value))
        )
    writer = Writer()
    scheduled_analysis_found_once_its_time_comes(writer)
    assert writer.times == 2
    assert not statements._kept


def test_only_texts_ids_and_dates_have_markers():
    with pytest.raises(TypeError):
        statements.written({"rank": 0.5}, Writer())


@on_postgresql
@pytest.mark.parametrize(
    "text", ["cancer", "research clusters", '"research clusters"', "cancer -research", "leuven or boston"]
)
@pytest.mark.parametrize("filters", ["none", "topic", "dates"])
def test_a_kept_statement_finds_what_the_statement_written_for_the_search_finds(demo, text, filters):
    criteria = Criteria(
        text=text,
        topic=Topic.objects.order_by("pk").first() if filters == "topic" else None,
        date_from=date(2020, 1, 1) if filters == "dates" else None,
        date_to=timezone.localdate() if filters == "dates" else None,
    )
    phrases = selectors.required_phrases(text)
    leaves_out = postgres.leaves_a_word_out(text)
    for source in SOURCES:
        selectors._best_on_postgresql(source, criteria, 10)  # writes and keeps the shape's statement
        kept = selectors._best_on_postgresql(source, criteria, 10)
        with postgres.matching_through_indexes():
            written = list(selectors._best_statement(source, criteria, 10, phrases, leaves_out))
        assert kept == written, source.kind
    assert site_search(criteria).paginator.count == sum(
        selectors._best(source, 0, criteria, 10)[1] for source in SOURCES
    )
