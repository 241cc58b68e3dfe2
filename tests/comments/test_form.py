"""The form: required fields, errors next to their fields with what was typed kept, hostile input."""

import html as htmllib
import re

import pytest
from django.test import Client

from comments.models import Comment, ConfirmedAddress
from tests.factories import AnalysisFactory, CommentFactory

Status = Comment.Status


def field_block(html: str, name: str) -> str:
    """The markup of one field's wrapper, from its label to the next field."""
    start = html.index(f'for="id_{name}"')
    start = html.rindex('<div class="field', 0, start)
    end = html.find('<div class="field', start + 1)
    return html[start : end if end > 0 else None]


def test_the_page_shows_the_form_as_on_the_seed_page(analysis, client):
    html = client.get(analysis.get_absolute_url()).content.decode()
    for text in (
        "Tell us what you think",
        "Your email address will not be published. Required fields are marked *",
        "I have read and accept the comment policy",
        "Email me when someone replies",
        "I am responding on behalf of an organisation",
        'href="/comment-policy/"',
    ):
        assert text in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert re.search(r'<textarea name="text"[^>]*maxlength="5000"', html)
    assert 'class="comment-form__trap" aria-hidden="true"' in html


def test_required_fields_are_marked(analysis, client):
    html = client.get(analysis.get_absolute_url()).content.decode()
    for name in ("name", "email", "text", "accept_policy"):
        assert '<abbr title="required">*</abbr>' in field_block(html, name)
    assert "<abbr" not in field_block(html, "notify_replies")


def test_errors_are_shown_next_to_their_fields_with_what_was_typed_kept(analysis, form_data, post_url, sent_back):
    typed = "My long considered view\non research clusters & <funding>."
    response = sent_back(post_url(analysis), form_data(name="", email="not-an-email", text=typed, accept_policy=None))
    html = response.content.decode()
    assert "Enter your name" in field_block(html, "name")
    assert "Enter an email address in the correct format, like name@example.com" in field_block(html, "email")
    assert "Tick the box to agree to the comment policy" in field_block(html, "accept_policy")
    assert 'value="not-an-email"' in field_block(html, "email")
    assert htmllib.escape(typed, quote=False) in field_block(html, "text")
    assert 'aria-invalid="true" aria-describedby="id_name_error"' in field_block(html, "name")
    assert 'id="id_name_error"' in field_block(html, "name")
    assert html.count("<h1") == 1
    assert not Comment.objects.exists()


def test_an_empty_comment_is_an_error(analysis, form_data, post_url, sent_back):
    html = sent_back(post_url(analysis), form_data(text="   \n ")).content.decode()
    assert "Enter your comment" in field_block(html, "text")


def test_a_comment_over_the_maximum_length_is_an_error_with_the_text_kept(analysis, form_data, post_url, sent_back):
    text = "word " * 1_500
    response = sent_back(post_url(analysis), form_data(text=text))
    assert "Your comment must be 5000 characters or fewer" in field_block(response.content.decode(), "text")
    assert text.strip() in response.content.decode()


def test_on_behalf_of_an_organisation_needs_its_name_and_a_declaration(analysis, form_data, post_url, sent_back):
    html = sent_back(post_url(analysis), form_data(on_behalf="on")).content.decode()
    assert "Enter the name of the organisation" in field_block(html, "organisation")
    assert "Declare any interest" in field_block(html, "declaration_of_interest")


def test_an_organisation_without_the_tick_is_ignored(analysis, form_data, post_url):
    Client().post(post_url(analysis), form_data(organisation="Acme", declaration_of_interest="None"))
    assert Comment.objects.get().organisation == ""


def test_the_reply_link_without_javascript_sets_the_form_to_reply(analysis, client):
    comment = CommentFactory(target=analysis, author_name="Helen")
    html = client.get(analysis.get_absolute_url(), {"replyto": comment.pk}).content.decode()
    assert "Reply to Helen" in html
    assert f'name="parent" value="{comment.pk}"' in html
    assert "data-cancel-reply" in html


def test_a_reply_to_an_unknown_comment_is_ignored(analysis, client):
    html = client.get(analysis.get_absolute_url(), {"replyto": "12345"}).content.decode()
    assert "Leave a reply" in html


@pytest.fixture
def published(settings):
    """Guests from ada@example.org are confirmed and published straight away."""
    settings.COMMENTS_MODERATION = "publish"
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    ConfirmedAddress.objects.create(email="ada@example.org")


HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    '<a href="javascript:alert(1)">click</a> javascript:alert(2)',
    "Right-to-left \u202egnp.exe and zero\u200bwidth\u200d joiners \ufeff",
    "Emoji 🎗️🧬👩🏽‍🔬 and Ünïcödé",
    "a" * 3000,
    "</textarea><script>alert(3)</script>",
    "{{ request }} {% csrf_token %}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_stored_exactly_and_never_executes(analysis, form_data, post_url, published, text):
    response = Client().post(post_url(analysis), form_data(text=text), follow=True)
    assert response.status_code == 200
    comment = Comment.objects.get()
    assert comment.text == text
    assert comment.status == Status.APPROVED
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "onerror=" not in html.replace("onerror=&quot;", "")
    assert "<svg" not in html
    assert 'href="javascript:' not in html
    assert "{{ request }}" in html or "{{ request }}" not in text


def test_a_long_word_with_a_link_keeps_the_link_safe(analysis, form_data, post_url, published):
    response = Client().post(post_url(analysis), form_data(text="See https://example.org/a?b=1&c=<2>"), follow=True)
    html = response.content.decode()
    assert 'rel="nofollow ugc noopener"' in html
    assert "&lt;2&gt;" in html


def test_line_breaks_are_kept(analysis, form_data, post_url, published):
    html = Client().post(post_url(analysis), form_data(text="One\nTwo\n\nThree"), follow=True).content.decode()
    assert "<p>One<br>Two</p>" in html
    assert "<p>Three</p>" in html


def test_a_null_byte_is_a_clear_error_not_a_crash(analysis, form_data, post_url, sent_back):
    response = sent_back(post_url(analysis), form_data(text="before\x00after"))
    assert "Null characters are not allowed." in response.content.decode()


def test_100_kilobytes_of_text_is_refused_politely(analysis, form_data, post_url, sent_back):
    response = sent_back(post_url(analysis), form_data(text="x" * 100_000))
    assert "Your comment must be 5000 characters or fewer" in response.content.decode()
    # The session keeps the first 10,000 characters, enough to work from and no more.
    assert "x" * 10_000 in response.content.decode() and "x" * 10_001 not in response.content.decode()


def test_100_kilobytes_of_text_renders_when_the_limit_allows(analysis, form_data, post_url, published, settings):
    settings.COMMENTS_MAX_LENGTH = 200_000
    text = ("word " * 20_000) + "https://example.org"
    response = Client().post(post_url(analysis), form_data(text=text), follow=True)
    assert response.status_code == 200
    assert Comment.objects.get().text == text


@pytest.mark.parametrize("field", ["name", "email", "issued", "parent", "website"])
def test_garbage_in_any_field_never_raises(analysis, form_data, post_url, field):
    for value in ("\x00", "💥" * 500, "<script>", "-1", "9" * 40):
        client = Client()
        response = client.post(post_url(analysis), form_data(**{field: value}))
        assert response.status_code in (302, 303)
        assert client.get(response["Location"]).status_code == 200


def test_no_commenter_email_appears_in_public_html(analysis, client, form_data, post_url, published):
    CommentFactory(target=analysis, author_email="hidden.person@example.org", text="Visible words")
    response = Client().post(post_url(analysis), form_data(text="Mine"), follow=True)
    for html in (client.get(analysis.get_absolute_url()).content.decode(), response.content.decode()):
        assert "Visible words" in html
        assert "hidden.person@example.org" not in html
        assert "ada@example.org" not in html


@pytest.mark.parametrize("comments", [3, 60])
def test_the_page_showing_a_form_sent_back_costs_a_constant_number_of_queries(
    analysis, form_data, post_url, comments, django_assert_max_num_queries
):
    for _ in range(comments):
        CommentFactory(target=analysis)
    client = Client()
    response = client.post(post_url(analysis), form_data(name="", parent=CommentFactory(target=analysis).pk))
    # The held form, the parent's page and the thread: the page's own queries plus the session's.
    with django_assert_max_num_queries(12):
        page = client.get(response["Location"])
    assert "Enter your name" in page.content.decode()


def test_the_summary_is_first_in_the_form_and_links_every_error_to_its_field(analysis, form_data, post_url, sent_back):
    html = sent_back(post_url(analysis), form_data(name="", email="", text="", accept_policy=None)).content.decode()
    form = html.split('class="comment-form"')[1]
    assert form.index("data-error-summary") < form.index('name="name"')
    summary = form.split("data-error-summary")[1].split("</div>")[0]
    links = [
        ("id_name", "Enter your name"),
        ("id_email", "Enter your email address"),
        ("id_text", "Enter your comment"),
        ("id_accept_policy", "Tick the box to agree to the comment policy"),
    ]
    assert [line for line in links if f'<a href="#{line[0]}">{line[1]}</a>' in summary] == links


def test_a_reply_sent_back_reopens_set_to_reply_on_the_page_of_its_comment(analysis, form_data, post_url, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    first = CommentFactory(target=analysis, author_name="First")
    for _ in range(3):
        CommentFactory(target=analysis)
    client = Client()
    response = client.post(post_url(analysis), form_data(text="", parent=first.pk))
    assert response["Location"] == f"{analysis.get_absolute_url()}?replyto={first.pk}#comment-errors"
    html = client.get(response["Location"]).content.decode()
    assert "Reply to First" in html and f'value="{first.pk}"' in html

    last = CommentFactory(target=analysis, author_name="Last")
    response = client.post(post_url(analysis), form_data(text="", parent=last.pk))
    assert response["Location"] == f"{analysis.get_absolute_url()}?comments_page=3&replyto={last.pk}#comment-errors"


def test_a_held_form_is_shown_once_and_only_on_its_own_page(analysis, form_data, post_url):
    other = AnalysisFactory()
    client = Client()
    response = client.post(post_url(analysis), form_data(text="", name="Held Name"))
    assert "Held Name" not in client.get(other.get_absolute_url()).content.decode()
    assert "Held Name" in client.get(response["Location"]).content.decode()
    assert "Held Name" not in client.get(response["Location"]).content.decode()
