"""On PostgreSQL: the trigger keeps an analysis's search vectors in step with its text, however written; the
title matches are read through their own index; passages come from the opening when it holds the words."""

import pytest
from django.db import connection

from policies.models import PolicyAnalysis
from policies.search import ANALYSES
from search import postgres
from search.selectors import Criteria, site_search
from tests.factories import AnalysisFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text search")


def urls(text: str) -> list[str]:
    return [result.url for result in site_search(Criteria(text=text)).object_list]


def test_a_saved_bulk_created_or_updated_analysis_is_found_by_its_new_words(db):
    analysis = AnalysisFactory(title="Sarcoma services", status=PolicyAnalysis.Status.PUBLISHED)
    assert analysis.get_absolute_url() in urls("sarcoma")

    PolicyAnalysis.objects.filter(pk=analysis.pk).update(title="Mesothelioma services")

    assert analysis.get_absolute_url() in urls("mesothelioma")
    assert analysis.get_absolute_url() not in urls("sarcoma")


def test_the_title_outranks_the_standfirst_which_outranks_the_body(db):
    kwargs = {"status": PolicyAnalysis.Status.PUBLISHED}
    in_body = AnalysisFactory(title="One", standfirst="Two", body="Biobank plans.", **kwargs)
    in_standfirst = AnalysisFactory(title="Three", standfirst="Biobank plans.", body="Four", **kwargs)
    in_title = AnalysisFactory(title="Biobank plans", standfirst="Five", body="Six", **kwargs)

    assert urls("biobank") == [a.get_absolute_url() for a in (in_title, in_standfirst, in_body)]


def test_the_title_matches_are_found_through_their_index(db):
    AnalysisFactory(title="Biobank plans", status=PolicyAnalysis.Status.PUBLISHED)
    sql, params = postgres.best_first(ANALYSES, ANALYSES.queryset(), "biobank", 10).query.sql_with_params()

    with postgres.matching_through_indexes(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "Bitmap Index Scan on policies_analysis_search_title" in plan
    assert site_search(Criteria(text="biobank")).paginator.count == 1


def test_the_passage_comes_from_the_opening_or_from_anywhere_in_the_body(db):
    filler = "Unrelated words about other matters. " * 60  # about 2,200 characters
    kwargs = {"status": PolicyAnalysis.Status.PUBLISHED}
    opening = AnalysisFactory(title="One", standfirst="Biobank plans for the region.", body=filler, **kwargs)
    deep = AnalysisFactory(
        title="Two", standfirst="Nothing.", body=f"{filler}The biobank plans close. {filler}", **kwargs
    )
    # The title and the opening hold the words between them: the opening is enough for the passage.
    split = AnalysisFactory(
        title="Biobank review", standfirst="Regional plans.", body=f"{filler}Biobank plans again. {filler}", **kwargs
    )

    passages = {result.url: result.passage for result in site_search(Criteria(text="biobank plans")).object_list}

    assert "<mark>Biobank</mark> <mark>plans</mark> for the region" in passages[opening.get_absolute_url()]
    assert "The <mark>biobank</mark> <mark>plans</mark> close" in passages[deep.get_absolute_url()]
    assert passages[split.get_absolute_url()].startswith("Regional <mark>plans</mark>.")
    assert "again" not in passages[split.get_absolute_url()]


def test_a_phrase_is_looked_for_among_the_analyses_holding_its_pairs_of_words(db):
    kwargs = {"status": PolicyAnalysis.Status.PUBLISHED}
    side_by_side = AnalysisFactory(title="One", body="The biobank plans changed.", **kwargs)
    AnalysisFactory(title="Two", body="The biobank has plans.", **kwargs)
    either = AnalysisFactory(title="Three", body="Sarcoma services.", **kwargs)
    sql, params = postgres.best_first(ANALYSES, ANALYSES.queryset(), '"biobank plans"', 10).query.sql_with_params()

    with postgres.matching_through_indexes(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "Bitmap Index Scan on policies_analysis_search_pairs" in plan
    assert urls('"biobank plans"') == [side_by_side.get_absolute_url()]
    # Either may match: the phrase is not required, so its pairs are not asked for.
    assert set(urls('"biobank plans" or sarcoma')) == {side_by_side.get_absolute_url(), either.get_absolute_url()}


def test_the_opening_ranked_stops_at_a_whole_word_and_before_a_tag_left_open(db):
    kwargs = {"title": "One", "standfirst": "Two.", "status": PolicyAnalysis.Status.PUBLISHED}
    # The 400th character falls inside "quokkas": cut there, the opening would hold a word "quo".
    word = AnalysisFactory(body=f"{'Unrelated words. ' * 23}Words quokkas live on islands.", **kwargs)
    assert word.body[397:404] == "quokkas"
    # It falls inside a tag, whose words are no words of the text: cut there, "habitat" would be one.
    tag = AnalysisFactory(
        body=f'{"Unrelated words. " * 22}See <span title="habitat and more words">it</span>.', **kwargs
    )
    assert tag.body.index("habitat") < 400 < tag.body.index(">")

    assert urls("quokkas") == [word.get_absolute_url()]
    assert urls("quo") == []
    assert urls("habitat") == []
