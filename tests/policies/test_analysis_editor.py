"""The analysis editor: a tall body box, a preview of the body rendered as the analysis page renders
it (live beside the box with JavaScript, in a tab of its own without), and labelled date and time boxes."""

import re

import pytest

from tests.factories import AnalysisFactory, QuoteFactory

pytestmark = pytest.mark.django_db

PREVIEW = "/admin/policies/policyanalysis/preview/"
PERSONAS = ["anonymous", "stakeholder", "moderator", "editor", "superuser"]
EXPECTED = {"anonymous": 302, "stakeholder": 302, "moderator": 403, "editor": 200, "superuser": 200}


@pytest.fixture
def persona(request, anonymous, stakeholder, moderator, editor, superuser):
    return {
        "anonymous": anonymous,
        "stakeholder": stakeholder,
        "moderator": moderator,
        "editor": editor,
        "superuser": superuser,
    }[request.param]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_it_previews_only_for_those_who_edit_analyses(persona, client_for, request):
    response = client_for(persona).post(PREVIEW, {"body": "Hello"})
    assert response.status_code == EXPECTED[request.node.callspec.params["persona"]]


def test_it_refuses_a_get(client_for, editor):
    assert client_for(editor).get(PREVIEW).status_code == 405


def test_it_renders_the_body_through_the_public_pages_sanitiser(client_for, editor):
    body = "## Funding\n\nClusters need **ten years**.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))"
    html = client_for(editor).post(f"{PREVIEW}?fragment=1", {"body": body}).content.decode()

    assert "<h2>Funding</h2>" in html and "<strong>ten years</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert "<html" not in html  # A fragment, for the live preview.


def test_it_puts_each_cited_quote_where_its_marker_is(client_for, editor):
    first, second, dropped = QuoteFactory(text="First words."), QuoteFactory(text="Second words."), QuoteFactory()
    form = {
        "body": "Before.\n\n[[quote:2]]\n\nAfter.",
        "citations-TOTAL_FORMS": "4",
        "citations-0-quote": first.pk,
        "citations-0-position": "1",
        "citations-1-quote": second.pk,
        "citations-1-position": "2",
        "citations-2-quote": dropped.pk,
        "citations-2-position": "3",
        "citations-2-DELETE": "on",
        "citations-3-quote": "not a number",
        "citations-3-position": "4",
    }
    html = client_for(editor).post(f"{PREVIEW}?fragment=1", form).content.decode()

    # The placed quote sits between the paragraphs; an unplaced one follows the body, as on the page.
    assert html.index("Before.") < html.index("Second words.") < html.index("After.") < html.index("First words.")
    assert dropped.text not in html
    assert second.speaker.full_name in html


def test_without_javascript_the_preview_is_a_page_of_its_own(client_for, editor):
    response = client_for(editor).post(PREVIEW, {"body": "Plain *text*.", "title": "Clusters"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Preview of the body</h1>" in html and "<em>text</em>" in html and "Clusters" in html


@pytest.mark.parametrize(
    "form",
    [
        {"body": "a\x00b"},
        {"body": "x", "citations-TOTAL_FORMS": "many"},
        {"body": "x", "citations-TOTAL_FORMS": "99999999999999999999", "citations-0-quote": "1"},
        {"body": "x", "citations-TOTAL_FORMS": "1", "citations-0-quote": "99999999999999999999"},
        {},
    ],
)
def test_bad_input_gets_a_preview_not_an_error(form, client_for, editor):
    assert client_for(editor).post(f"{PREVIEW}?fragment=1", form).status_code == 200


@pytest.mark.parametrize("quotes", [1, 12])
def test_the_preview_costs_a_constant_number_of_queries(quotes, client_for, editor, django_assert_max_num_queries):
    form = {"body": "x", "citations-TOTAL_FORMS": str(quotes)}
    for row, quote in enumerate(QuoteFactory.create_batch(quotes)):
        form |= {f"citations-{row}-quote": quote.pk, f"citations-{row}-position": row + 1}
    client = client_for(editor)
    with django_assert_max_num_queries(6):
        assert client.post(f"{PREVIEW}?fragment=1", form).status_code == 200


def test_the_editor_has_a_tall_body_box_a_preview_button_and_labelled_date_boxes(client_for, editor):
    analysis = AnalysisFactory()
    html = client_for(editor).get(f"/admin/policies/policyanalysis/{analysis.pk}/change/").content.decode()

    body = re.search(r"<textarea[^>]*id=\"id_body\"[^>]*>", html)
    assert body and 'rows="30"' in body.group(0)
    assert f'formaction="{PREVIEW}"' in html and "Preview the body (opens in a new tab)" in html
    assert '<label for="id_publish_at_0">Date:</label>' in html
    assert '<label for="id_publish_at_1">Time:</label>' in html
    # The preview button comes after Save, so Enter in a box still saves.
    assert html.index('name="_save"') < html.index("data-markdown-preview")


def test_the_labelled_date_boxes_still_save(client_for, editor):
    analysis = AnalysisFactory(title="Before")
    form = {
        "section": analysis.section,
        "title": "After",
        "slug": analysis.slug,
        "author": analysis.author_id,
        "kind": analysis.kind,
        "standfirst": analysis.standfirst,
        "body": analysis.body,
        "status": "draft",
        "publish_at_0": "2026-03-01",
        "publish_at_1": "09:30:00",
        "comments_open": "on",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    response = client_for(editor).post(f"/admin/policies/policyanalysis/{analysis.pk}/change/", form)
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.title == "After" and analysis.publish_at.strftime("%Y-%m-%d %H:%M") == "2026-03-01 09:30"
