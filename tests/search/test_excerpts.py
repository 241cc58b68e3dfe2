"""Marking matches never lets text add markup; the fallback reads queries as websearch does."""

from search import excerpts
from search.terms import parse


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
