"""The /search/ page and the header's search box: results, marks, filters, paging, errors, queries."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.demo import CONCLUDED_SLUG, OPEN_SLUG
from consultations.models import Consultation
from policies.demo import SEED_SLUG
from policies.models import PolicyAnalysis

HEADING = re.compile(r'<h2 id="results-heading">(.*?)</h2>')
LINKS = re.compile(r'<h3 class="card__title"><a href="([^"]+)">')


def page(client, **params):
    response = client.get("/search/", params)
    return response, response.content.decode()


def test_it_puts_a_search_box_in_every_page_header(demo, client):
    for url in ("/", "/analyses/", f"/consultations/{OPEN_SLUG}/", "/privacy/"):
        html = client.get(url).content.decode()
        form = re.search(r'<form class="site-search" role="search"[^>]*>(.*?)</form>', html, re.DOTALL)
        assert form is not None, url
        assert 'method="get" action="/search/"' in form.group(0)
        assert '<label class="visually-hidden" for="site-search-q">Search the site</label>' in form.group(1)
        assert 'name="q"' in form.group(1)


def test_it_says_how_many_results_and_marks_the_words(demo, client):
    response, html = page(client, q="research clusters")

    assert response.status_code == 200
    assert "results for “research clusters”" in HEADING.search(html).group(1)
    assert f"/analyses/{SEED_SLUG}/" in LINKS.findall(html)
    assert "<mark>" in html
    assert 'name="robots" content="noindex"' in html


def test_it_asks_for_words_when_none_are_given(demo, client):
    response, html = page(client)

    assert response.status_code == 200
    assert "Type what you are looking for" in html
    assert HEADING.search(html) is None


def test_it_shows_a_clear_empty_state(demo, client):
    response, html = page(client, q="xylophone")

    assert response.status_code == 200
    assert "0 results for “xylophone”" in html
    assert "Nothing matched" in html
    assert 'href="/analyses/"' in html


def test_it_escapes_editors_text_and_the_query(demo, client):
    PolicyAnalysis.objects.filter(slug="clinical-trials-recovery").update(
        title="Trials <script>alert(1)</script> & recovery", standfirst="Trials <b>bold</b> claim"
    )
    PolicyAnalysis.objects.get(slug="clinical-trials-recovery").save()  # the search vector follows a save

    _, html = page(client, q="trials")
    _, typed = page(client, q="<img src=x>")

    assert "<script>alert(1)</script>" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x>" not in typed
    assert "&lt;img src=x&gt;" in typed  # the query, shown back in the form and the heading


def test_it_filters_by_kind(demo, client):
    _, html = page(client, q="workforce", kind="outcome")

    assert LINKS.findall(html) == [f"/consultations/{CONCLUDED_SLUG}/#outcome-heading"]


def test_it_filters_by_topic(demo, client):
    _, html = page(client, q="cancer", topic="tobacco-control")
    links = LINKS.findall(html)

    assert links
    assert "/analyses/screening-uptake-inequalities/" not in links
    assert "/analyses/age-of-sale-tobacco/" in links


def test_it_filters_by_date(demo, client):
    _, html = page(client, q="clusters", **{"from": "2025-06-01", "to": "2025-07-31"})

    assert LINKS.findall(html) == [f"/analyses/{SEED_SLUG}/"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "cancer", "kind": "podcast"}, "Choose a type from the list"),
        ({"q": "cancer", "topic": "no-such-topic"}, "There is no such topic"),
        ({"q": "cancer", "from": "last tuesday"}, "Give the “from” date as a date"),
        ({"q": "cancer", "from": "2025-02-01", "to": "2025-01-01"}, "must be on or after"),
        ({"q": "cancer", "page": "two"}, "The page number must be a whole number"),
        ({"q": "x" * 201}, "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_filters_get_a_clear_message_and_the_form_again(demo, client, params, message):
    response, html = page(client, **params)

    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert message in html
    assert 'value="cancer"' in html or "x" * 201 in html


def test_a_page_past_the_end_says_which_is_the_last(demo, client):
    response, html = page(client, q="cancer", page="40")

    assert response.status_code == 404
    assert "the last is page" in html


def test_it_pages_the_results_keeping_the_query(demo, client):
    _, first = page(client, q="cancer")
    _, second = page(client, q="cancer", page="2")

    assert 'rel="next" href="?q=cancer&amp;page=2"' in first
    assert set(LINKS.findall(first)).isdisjoint(LINKS.findall(second))
    assert "Page 2 of" in second


def test_it_never_finds_unpublished_consultations_or_outcomes_not_yet_published(demo, client):
    Consultation.objects.filter(slug=OPEN_SLUG).update(is_published=False)
    Consultation.objects.filter(slug=CONCLUDED_SLUG).update(concluded_at=None)

    _, html = page(client, q="research clusters")
    _, outcome = page(client, q="training places")

    assert f"/consultations/{OPEN_SLUG}/" not in LINKS.findall(html)
    assert not LINKS.findall(outcome)


def test_a_scheduled_analysis_appears_once_its_time_has_come(demo, client):
    _, before = page(client, q="polluter-pays levy")
    PolicyAnalysis.objects.filter(slug="tobacco-levy-consultation").update(
        publish_at=timezone.now() - timedelta(minutes=1)
    )
    _, after = page(client, q="polluter-pays levy")

    assert "/analyses/tobacco-levy-consultation/" not in LINKS.findall(before)
    assert "/analyses/tobacco-levy-consultation/" in LINKS.findall(after)


@pytest.mark.parametrize("text", ["xylophone", "workforce", "cancer", "research clusters"])
def test_a_results_page_costs_a_fixed_number_of_queries(demo, client, django_assert_max_num_queries, text):
    # Four kinds: one ranking query each, and at most two more (rows and topics) per kind on the page;
    # then the topic list of the form. On PostgreSQL the indexed kind's settings add one, and inside a
    # test's transaction its savepoint two more.
    with django_assert_max_num_queries(16):
        response = client.get("/search/", {"q": text})

    assert response.status_code == 200
