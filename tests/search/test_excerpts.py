"""Marking matches never lets text add markup; the fallback reads queries as websearch does, and the
phrases a query requires are named only when websearch certainly requires them."""

import pytest

from search import excerpts
from search.terms import parse, required_phrases


def test_a_headline_is_escaped_piece_by_piece():
    html = excerpts.from_headline(f"<script>x</script> {excerpts.START}cancer{excerpts.STOP} & more")

    assert html == "&lt;script&gt;x&lt;/script&gt; <mark>cancer</mark> &amp; more"


def test_a_match_inside_markup_is_marked_as_text():
    pattern = excerpts.words_pattern(["script"])

    assert excerpts.highlight("<script>", pattern) == "&lt;<mark>script</mark>&gt;"


def test_a_passage_is_cut_around_the_first_match_without_markdown():
    text = "## Heading\n\n" + "word " * 100 + "**cancer** screening [[quote:1]] " + "tail " * 100

    passage = excerpts.passage(text, excerpts.words_pattern(["screening"]))

    assert passage.startswith("… ")
    assert "<mark>screening</mark>" in passage
    assert "**" not in passage and "[[quote" not in passage and "##" not in passage


def test_queries_are_read_like_websearch():
    terms = parse('"early diagnosis" clusters -tobacco or the NHS')

    assert terms.include == ["early diagnosis", "cluster", "nhs"]
    assert terms.exclude == ["tobacco"]
    assert not parse("the of and")


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ('"early diagnosis"', ["early diagnosis"]),
        (
            'screening "early  diagnosis" "community diagnostic centres"',
            ["early diagnosis", "community diagnostic centres"],
        ),
        ('"early" diagnosis', []),  # one word is no phrase
        ('"early diagnosis" or screening', []),  # either may match
        ('"cancer OR tumour growth"', []),
        ('-"early diagnosis"', []),  # left out, not required
        ('screening - "early diagnosis"', []),
        ('"stop-smoking services"', []),  # punctuation websearch may read otherwise
        ("'a \"early diagnosis\" b'", []),
        ('x"early diagnosis"', []),
        ('"early diagnosis', []),  # never closed
    ],
)
def test_the_phrases_every_match_must_hold_are_named_only_when_certain(text, phrases):
    assert required_phrases(text) == phrases
