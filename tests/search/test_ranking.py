"""Relevance and paging over many matches: a title that holds every word comes first, then a head (title,
standfirst and, on PostgreSQL, the body's opening) that holds them together, then the rest; the count
is of every match, and the pages together list each match once, in the order ranking every match gives;
on SQLite (the fallback) and on PostgreSQL (where only the matches a page needs are ranked) alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from policies.models import PolicyAnalysis
from search.selectors import KINDS, Criteria, _matching, site_search
from tests.factories import AnalysisFactory

ANALYSES = Criteria(text="quokka habitat", kind="analysis")


def analysis(title: str, standfirst: str = "Counting animals.", body: str = "Numbers.", hours: int = 0):
    return AnalysisFactory(
        title=title, standfirst=standfirst, body=body, publish_at=timezone.now() - timedelta(hours=1 + hours)
    )


def every_page(criteria: Criteria, per_page: int) -> tuple[list[str], set[int]]:
    """The urls of every page in order, and the counts the pages gave."""
    urls: list[str] = []
    counts = set()
    first = site_search(criteria, per_page=per_page)
    for number in first.paginator.page_range:
        page = site_search(criteria, page_number=number, per_page=per_page)
        urls += [result.url for result in page.object_list]
        counts.add(page.paginator.count)
    return urls, counts


def ranked_in_full(criteria: Criteria) -> list[str]:
    """Every match ranked in one query: the order the pages must follow."""
    rows = _matching(KINDS["analysis"], criteria).order_by("-search_tier", "-rank", "-search_date", "-pk")
    return [analysis.get_absolute_url() for analysis in rows]


def test_a_title_holding_every_word_outranks_a_text_that_repeats_them(db):
    crowded = analysis(
        "Quokka notes", standfirst="Quokka habitat, quokka habitat.", body="Quokka habitat loss. " * 20, hours=0
    )
    in_title = analysis("Quokka habitat survey", hours=5)

    results = site_search(ANALYSES).object_list

    assert [result.url for result in results] == [in_title.get_absolute_url(), crowded.get_absolute_url()]
    assert results[0].rank > results[1].rank  # the rank shown follows the order


FILLER = "Unrelated words about other matters. " * 30  # about 1,100 characters, past the body's opening


@pytest.mark.parametrize(
    ("in_titles", "in_heads", "further_down"),
    [
        (2, 4, 7),  # the title matches and the head matches do not fill the first page; the second ranks all
        (7, 2, 3),  # the title matches fill the first page: only they are ranked, the others only counted
        (5, 3, 2),  # exactly fill it
        (0, 6, 3),  # no title match: the head matches fill the first page and count every match
        (0, 0, 9),  # only matches further down the body: they are ranked and count themselves
    ],
)
def test_the_pages_list_every_match_once_in_order_with_the_exact_count(db, in_titles, in_heads, further_down):
    for number in range(in_titles):
        analysis(f"Quokka habitat report {number}", hours=number * 7)
    for number in range(in_heads):
        analysis(
            f"Wildlife report {number}", standfirst=f"The quokka loses habitat {'again ' * number}.", hours=number * 5
        )
    for number in range(further_down):
        analysis(f"Field report {number}", body=f"{FILLER}The quokka habitat {'shrinks ' * number}.", hours=number * 3)
    analysis("Quokka diet", body="No word about where it lives.")  # holds one word only: not found

    urls, counts = every_page(ANALYSES, per_page=5)

    titles = [PolicyAnalysis.objects.get(slug=url.split("/")[2]).title.split()[0] for url in urls]
    assert counts == {in_titles + in_heads + further_down}
    assert len(urls) == len(set(urls)) == in_titles + in_heads + further_down
    assert titles == ["Quokka"] * in_titles + ["Wildlife"] * in_heads + ["Field"] * further_down
    assert urls == ranked_in_full(ANALYSES)


def test_a_title_match_is_left_out_when_its_text_holds_an_excluded_word(db):
    excluded = analysis("Quokka habitat", body="Wallaby country.")
    kept = analysis("Quokka habitat", body="Island country.")
    elsewhere = analysis("Wildlife", body="Quokka habitat, no marsupial cousins.")

    urls = [result.url for result in site_search(Criteria(text="quokka habitat -wallaby")).object_list]

    assert urls == [kept.get_absolute_url(), elsewhere.get_absolute_url()]
    assert excluded.get_absolute_url() not in urls


def test_a_match_published_between_two_pages_joins_the_end_without_repeating_the_first(db):
    for number in range(6):
        analysis(f"Quokka habitat {number}", hours=number)
    first = [result.url for result in site_search(ANALYSES, per_page=4).object_list]
    analysis("Wildlife", body="Quokka habitat.")  # a body match: it joins the end, not the first page

    second = [result.url for result in site_search(ANALYSES, page_number=2, per_page=4).object_list]

    assert set(first).isdisjoint(second)
    assert len(first) == 4
    assert len(second) == 3


def test_a_phrase_finds_its_words_side_by_side_anywhere_and_only_there(db):
    filler = "Unrelated words about other matters. " * 60  # about 2,200 characters
    deep = analysis("Wildlife", body=f"{filler}The quokka habitat shrinks. {filler}", hours=1)
    analysis("Wildlife too", body=f"{filler}The quokka has a habitat. {filler}")  # both words, apart
    titled = analysis("Quokka habitat", hours=3)

    urls, counts = every_page(Criteria(text='"quokka habitat"', kind="analysis"), per_page=1)

    assert counts == {2}
    assert urls == [titled.get_absolute_url(), deep.get_absolute_url()]
