"""Any text a commenter types is stored exactly as typed and only ever rendered escaped.

Hypothesis draws the text: HTML and script fragments, quotes, ampersands, line breaks, web
addresses and any printable Unicode. Only NUL is left out: the form refuses it (PostgreSQL
cannot store it), which a test below checks.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.models import Comment
from comments.rendering import comment_html

ALLOWED_TAGS = {"p": set(), "br": set(), "a": {"href", "rel"}}
HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "<a href='javascript:alert(1)'>x</a>",
        "&lt;b&gt;",
        "&amp;",
        "</p><p>",
        "{{ request }}",
        "{% csrf_token %}",
        "https://example.org/a?b=<c>&d='e'",
        "javascript:alert(1)",
        "\r\n\r\n",
        "\n",
        "\u202e",
        "www.example.org",
    ]
)
PRINTABLE = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=80)
COMMENT_TEXT = st.lists(st.one_of(HOSTILE, PRINTABLE), min_size=1, max_size=6).map("".join)


class Elements(HTMLParser):
    """The tags and attributes of an HTML fragment, and its text as a reader sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    elements.close()
    return elements


def assert_only_safe_markup(html: str) -> None:
    for tag, attrs in parsed(html).tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> came through in {html!r}"
        assert set(attrs) <= ALLOWED_TAGS[tag], f"{attrs} on <{tag}> in {html!r}"
        if tag == "a":
            assert attrs["rel"] == "nofollow ugc noopener"
            assert attrs["href"].startswith(("http://", "https://", "mailto:")), attrs["href"]


@given(COMMENT_TEXT)
def test_it_renders_any_text_with_no_markup_but_paragraphs_breaks_and_safe_links(text: str) -> None:
    assert_only_safe_markup(comment_html(text))


@given(st.text(st.characters(exclude_characters="\x00.:@/", exclude_categories=("Cs",)), min_size=1))
def test_it_keeps_every_character_of_text_without_addresses_as_the_reader_sees_it(text: str) -> None:
    html = comment_html(text)
    shown = "".join(parsed(html).text)
    # Paragraph and line breaks become tags; everything else reaches the reader unchanged.
    assert shown.replace("\n", "") == text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "")


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=COMMENT_TEXT.filter(lambda text: text.strip()))
def test_it_stores_any_text_as_typed_and_shows_it_escaped(text, analysis, stakeholder, form_data, post_url, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    settings.COMMENTS_MODERATION = "publish"
    settings.COMMENTS_MAX_LINKS = 100
    Comment.objects.all().delete()
    client = Client()
    client.force_login(stakeholder)

    response = client.post(post_url(analysis), form_data(text=text))

    assert response.status_code == 302, response.content.decode()[:500]
    comment = Comment.objects.get()
    assert comment.text == text
    assert_only_safe_markup(comment.text_html)
    page = client.get(analysis.get_absolute_url()).content.decode()
    assert comment.text_html in page
    assert "<script>alert(1)" not in page


@pytest.mark.django_db
def test_it_refuses_a_nul_character_with_a_message_and_keeps_the_text(analysis, form_data, post_url, sent_back) -> None:
    response = sent_back(post_url(analysis), form_data(text="before\x00after"))

    assert not Comment.objects.exists()
    html = response.content.decode()
    assert "Null characters are not allowed." in html
    assert "before" in html and "after" in html
