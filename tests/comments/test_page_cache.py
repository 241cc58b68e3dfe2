"""Whole pages cached for readers with no state of their own (core/page_cache.py).

Each change the page shows empties it; no reader ever gets another's header, waiting comment,
messages or CSRF token; the comment form works with CSRF enforced; Redis down means uncached, not broken.
"""

import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from comments import decisions, services
from comments.models import Comment, ResponseStatus
from comments.views import OWN_COOKIE
from core.page_cache import CSRF_PLACEHOLDER, HEADER, Render
from tests.comments.conftest import issued
from tests.factories import (
    AnalysisFactory,
    CommentFactory,
    ConsultationFactory,
    PolicyVersionFactory,
    QuoteCitationFactory,
    TopicFactory,
    UserFactory,
    WebinarFactory,
)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def analysis(policy_version):
    analysis = AnalysisFactory()
    analysis.topics.add(TopicFactory(name="Tobacco control"))
    QuoteCitationFactory(analysis=analysis)
    return analysis


def served(client: Client, url: str) -> tuple[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return response.get(HEADER, ""), response.content.decode()


def test_it_serves_the_second_anonymous_view_from_the_cache_without_a_query(analysis, django_assert_num_queries):
    url = analysis.get_absolute_url()
    assert served(Client(), url)[0] == "miss"
    with django_assert_num_queries(0):
        outcome, html = served(Client(), url)
    assert outcome == "hit"
    assert analysis.title in html


@pytest.mark.parametrize("path", ["webinar", "consultation"])
def test_it_caches_the_webinar_and_consultation_pages_too(db, path, django_assert_num_queries):
    PolicyVersionFactory()
    url = (WebinarFactory() if path == "webinar" else ConsultationFactory()).get_absolute_url()
    assert served(Client(), url)[0] == "miss"
    with django_assert_num_queries(0):
        assert served(Client(), url)[0] == "hit"


def test_it_sets_headers_that_keep_the_page_to_its_reader(analysis):
    response = Client().get(analysis.get_absolute_url())
    assert "Cookie" in response["Vary"]
    assert response["Cache-Control"] == "private, no-cache"


def test_it_caches_pages_of_threads_apart_and_refuses_unknown_parameters(analysis):
    url = analysis.get_absolute_url()
    served(Client(), f"{url}?comments_page=2")
    assert served(Client(), f"{url}?comments_page=2")[0] == "hit"
    assert served(Client(), url)[0] == "miss"
    assert served(Client(), f"{url}?utm_source=x")[0] == ""
    assert served(Client(), f"{url}?comments_page=abc")[0] == ""


# --- Every change the page shows empties it --------------------------------------------------


def approve(comment: Comment, moderator) -> None:
    decisions.comment_moderate(comment=comment, action="approve", moderator=moderator)


CHANGES: dict[str, Callable] = {
    "analysis edited": lambda a, c, m: _retitled(a, "A new title for the analysis"),
    "quote edited": lambda a, c, m: _quote_edited(a),
    "topic renamed": lambda a, c, m: _topic_renamed(a),
    "topic added": lambda a, c, m: a.topics.add(TopicFactory(name="Alcohol harm")),
    "comment approved": lambda a, c, m: approve(CommentFactory(target=a, status="pending"), m),
    "comment removed": lambda a, c, m: decisions.comment_moderate(
        comment=c, action="remove", moderator=m, clause=c.policy_version.clauses.first()
    ),
    "comment edited": lambda a, c, m: services.comment_edit(comment=c, user=c.user, text="Second thoughts entirely."),
    "policy version": lambda a, c, m: PolicyVersionFactory(policy=c.policy_version.policy, number=99),
    "team response": lambda a, c, m: decisions.comment_response_set(
        comment=c, status=ResponseStatus.CONSIDERING, moderator=m
    ),
    "official reply": lambda a, c, m: decisions.comment_official_reply(parent=c, staff=m, text="Thank you."),
}


def _retitled(analysis, title: str) -> None:
    analysis.title = title
    analysis.save()


def _quote_edited(analysis) -> None:
    quote = analysis.citations.get().quote
    quote.text = "A sentence the speaker corrected."
    quote.save()


def _topic_renamed(analysis) -> None:
    topic = analysis.topics.get()
    topic.name = "Tobacco and nicotine"
    topic.save()


@pytest.mark.parametrize("change", CHANGES)
def test_it_empties_the_page_when_what_it_shows_changes(analysis, moderator, change):
    author = UserFactory()
    comment = CommentFactory(target=analysis, user=author, author_email=author.email)
    url = analysis.get_absolute_url()
    served(Client(), url)
    assert served(Client(), url)[0] == "hit"
    CHANGES[change](analysis, comment, moderator)
    assert served(Client(), url)[0] == "miss"


def test_a_change_made_by_another_process_reaches_readers_within_the_recheck_window(analysis, settings):
    """Another process bumps a tag in the shared cache only; this one rechecks its copy after the window."""
    import time

    from core.page_cache import _tag_key

    settings.PAGE_CACHE_RECHECK_SECONDS = 2.0
    url = analysis.get_absolute_url()
    served(Client(), url)
    assert served(Client(), url)[0] == "hit"
    cache.set(_tag_key("policies"), "changed-elsewhere", None)
    # Within the window this process's copy is served as it was checked; past it, it is asked about again.
    assert served(Client(), url)[0] == "hit"
    time.sleep(2.1)
    assert served(Client(), url)[0] == "miss"


def test_an_approved_comment_appears_at_once(analysis, moderator):
    pending = CommentFactory(target=analysis, status="pending", text="Worth waiting for.")
    url = analysis.get_absolute_url()
    assert "Worth waiting for." not in served(Client(), url)[1]
    approve(pending, moderator)
    assert "Worth waiting for." in served(Client(), url)[1]


def test_an_erased_address_quoted_in_a_comment_leaves_the_page(analysis):
    from comments.personal_data import personal_data_erase

    CommentFactory(target=analysis, text="Write to erase.me@example.org about it.")
    url = analysis.get_absolute_url()
    assert "erase.me@example.org" in served(Client(), url)[1]
    personal_data_erase(emails={"erase.me@example.org"}, user=None)
    assert "erase.me@example.org" not in served(Client(), url)[1]


def test_a_consultation_opening_on_the_analysis_topics_joins_its_related_reading(analysis):
    url = analysis.get_absolute_url()
    served(Client(), url)
    consultation = ConsultationFactory(title="Should duty on tobacco rise?")
    consultation.topics.add(analysis.topics.get())
    assert "Should duty on tobacco rise?" in served(Client(), url)[1]


def test_the_analysis_page_is_kept_no_longer_than_a_related_consultation_stays_open(analysis, rf):
    from django.template import Context, Template

    consultation = ConsultationFactory(closes_at=timezone.now() + timezone.timedelta(seconds=40))
    consultation.topics.add(analysis.topics.get())
    request = rf.get(analysis.get_absolute_url())
    request._page_cache_render = Render(seconds=600)
    template = Template(
        "{% load consultation_tags %}{% consultations_on topics open_only=True as open %}{{ open|length }}"
    )
    assert template.render(Context({"request": request, "topics": analysis.topics.all()})) == "1"
    assert 0 < request._page_cache_render.seconds <= 40
    assert "consultations" in request._page_cache_render.versions


def test_answers_saved_in_a_questionnaire_leave_the_analysis_page_cached(analysis):
    from consultations.services import response_start

    consultation = ConsultationFactory()
    url = analysis.get_absolute_url()
    served(Client(), url)
    response_start(consultation=consultation, user=None)
    assert served(Client(), url)[0] == "hit"
    assert served(Client(), consultation.get_absolute_url())[0] == "miss"


def test_a_figure_or_a_featured_webinar_edited_empties_the_page(analysis):
    url = analysis.get_absolute_url()
    analysis.featured_webinar = WebinarFactory(title="Looking back")
    analysis.save()
    served(Client(), url)
    webinar = analysis.featured_webinar
    webinar.title = "Looking back, retitled"
    webinar.save()
    assert "Looking back, retitled" in served(Client(), url)[1]


# --- Nobody's state reaches another reader ---------------------------------------------------


def test_a_signed_in_reader_is_never_served_the_cached_page_nor_cached(analysis, client_for):
    url = analysis.get_absolute_url()
    signed_in = client_for(UserFactory())
    outcome, html = served(signed_in, url)
    assert outcome == "" and "Your account" in html
    outcome, html = served(Client(), url)
    assert outcome == "miss" and "Your account" not in html and "Sign in" in html
    outcome, html = served(signed_in, url)
    assert outcome == "" and "Your account" in html


def test_a_commenters_waiting_comment_stays_theirs(analysis, form_data, post_url, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    url = analysis.get_absolute_url()
    served(Client(), url)
    commenter = Client()
    response = commenter.post(post_url(analysis), form_data(text="My own words, still waiting."), follow=True)
    assert "My own words, still waiting." in response.content.decode()
    assert OWN_COOKIE in commenter.cookies
    # With the own-comments cookie alone (messages read, session gone) the page is still theirs, uncached.
    for name in list(commenter.cookies):
        if name not in {OWN_COOKIE, "csrftoken"}:
            del commenter.cookies[name]
    outcome, html = served(commenter, url)
    assert outcome == "" and "My own words, still waiting." in html
    outcome, html = served(Client(), url)
    assert outcome in {"hit", "miss"} and "My own words, still waiting." not in html


def test_messages_are_shown_to_their_reader_only(analysis, form_data, post_url, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    url = analysis.get_absolute_url()
    commenter = Client()
    commenter.post(post_url(analysis), form_data())
    outcome, html = served(commenter, url)
    assert outcome == "" and 'class="message message--success"' in html
    outcome, html = served(Client(), url)
    assert 'class="message message--success"' not in html
    assert served(Client(), url)[0] == "hit"


def test_no_reader_gets_another_readers_csrf_token(analysis):
    url = analysis.get_absolute_url()
    first, second = Client(), Client()
    _, first_html = served(first, url)
    outcome, second_html = served(second, url)
    assert outcome == "hit"
    assert CSRF_PLACEHOLDER not in first_html + second_html
    first_token, second_token = TOKEN.search(first_html)[1], TOKEN.search(second_html)[1]
    assert first_token != second_token
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_the_cached_form_posts_with_csrf_enforced_and_no_javascript(analysis, form_data, post_url, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    url = analysis.get_absolute_url()
    served(Client(), url)
    reader = Client(enforce_csrf_checks=True)
    outcome, html = served(reader, url)
    assert outcome == "hit"
    token = TOKEN.search(html)[1]
    response = reader.post(post_url(analysis), {**form_data(), "csrfmiddlewaretoken": token})
    assert response.status_code in {302, 303}
    assert Comment.objects.filter(author_email="ada@example.org").exists()


def test_a_post_without_the_token_is_still_refused(analysis, form_data, post_url):
    reader = Client(enforce_csrf_checks=True)
    served(reader, analysis.get_absolute_url())
    assert reader.post(post_url(analysis), form_data()).status_code == 403


def test_a_page_read_after_a_failed_form_shows_what_was_typed_and_is_not_cached(analysis, form_data, post_url):
    reader = Client()
    response = reader.post(post_url(analysis), form_data(text=""), follow=True)
    assert response.status_code == 200
    assert "Ada Guest" in response.content.decode()
    assert response.get(HEADER) != "hit"
    assert "Ada Guest" not in served(Client(), analysis.get_absolute_url())[1]


# --- Redis down ------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """The site's cache is Redis on a port nothing listens on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/13",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    cache.close()
    yield
    cache.close()


def test_with_redis_down_the_page_renders_uncached_with_a_working_token(analysis, redis_down, form_data, post_url):
    url = analysis.get_absolute_url()
    reader = Client(enforce_csrf_checks=True)
    for _ in range(2):
        outcome, html = served(reader, url)
        assert outcome == "" and analysis.title in html
    token = TOKEN.search(html)[1]
    assert token != CSRF_PLACEHOLDER
    response = reader.post(post_url(analysis), {**form_data(issued=issued()), "csrfmiddlewaretoken": token})
    assert response.status_code != 403


def test_it_keeps_a_consultation_page_only_until_it_could_change_by_itself(db):
    from consultations.selectors import OPEN_PAGE_SECONDS, seconds_until_page_changes

    upcoming = ConsultationFactory(
        opens_at=timezone.now() + timezone.timedelta(seconds=30),
        closes_at=timezone.now() + timezone.timedelta(days=3),
    )
    assert 0 < seconds_until_page_changes(upcoming) <= 30
    assert seconds_until_page_changes(ConsultationFactory()) == OPEN_PAGE_SECONDS


def test_pages_of_an_earlier_release_are_never_served(analysis, settings):
    from core.page_cache import release

    url = analysis.get_absolute_url()
    served(Client(), url)
    settings.PAGE_CACHE_RELEASE = "next-release"
    release.cache_clear()
    try:
        assert served(Client(), url)[0] == "miss"
        assert served(Client(), url)[0] == "hit"
    finally:
        release.cache_clear()
