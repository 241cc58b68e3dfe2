"""Figures: the model's rules, the editors' admin, and how an analysis page shows them."""

import re
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from PIL import Image

from accounts.roles import EDITORS
from policies.models import Figure, PolicyAnalysis
from policies.services import analysis_hero_renditions_refresh, figure_renditions_refresh
from tests.factories import AnalysisFactory

pytestmark = pytest.mark.django_db

CHART_DATA = "Fund,£ million\nLocal Innovation Partnerships,500\nGlobal Talent,54\n"


def png(size=(1000, 500)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def make_figure(slug: str = "chart", size=(1000, 500), **fields) -> Figure:
    fields = {"alt_text": "Bars: one long, one short.", **fields}
    figure = Figure(slug=slug, **fields)
    figure.image.save(f"{slug}.png", ContentFile(png(size)), save=False)
    figure.save()
    figure_renditions_refresh(figure=figure)
    return figure


def tag(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return match.group(0)


# The model's rules


def unsaved(**fields) -> Figure:
    return Figure(slug="x", image="figures/x.png", width=10, height=10, **fields)


def test_alt_text_is_required_unless_the_picture_is_decorative():
    figure = unsaved(alt_text="  ")
    with pytest.raises(ValidationError) as caught:
        figure.full_clean(exclude=["image"])
    assert "tick “decorative”" in caught.value.message_dict["alt_text"][0]
    unsaved(decorative=True).full_clean(exclude=["image"])


def test_a_decorative_picture_has_no_alt_text_and_no_data():
    with pytest.raises(ValidationError, match="clear it, or untick"):
        unsaved(decorative=True, alt_text="A view").full_clean(exclude=["image"])
    with pytest.raises(ValidationError, match="not decorative"):
        unsaved(decorative=True, data_table=CHART_DATA).full_clean(exclude=["image"])


def test_the_database_refuses_a_figure_without_alt_text_that_is_not_decorative():
    with pytest.raises(IntegrityError), transaction.atomic():
        unsaved(alt_text="").save()


def test_a_bad_data_table_is_a_field_error_naming_the_row():
    figure = unsaved(alt_text="Bars", data_table="A,B\n1,2\n3\n")
    with pytest.raises(ValidationError) as caught:
        figure.full_clean(exclude=["image"])
    assert caught.value.message_dict["data_table"] == ["Row 3 has 1 cells; the heading row has 2."]


def test_editors_hold_the_figure_permissions():
    codenames = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
    assert {"add_figure", "change_figure", "delete_figure", "view_figure"} <= codenames


# The admin


def figure_form(image: ContentFile, **fields) -> dict:
    return {"slug": "new-chart", "alt_text": "Typed alt text", "caption": "Typed caption", "image": image, **fields}


def test_an_editor_uploads_a_figure_and_its_renditions_are_made(client_for, editor):
    image = ContentFile(png((1400, 700)), name="chart.png")
    response = client_for(editor).post("/admin/policies/figure/add/", figure_form(image, data_table=CHART_DATA))
    assert response.status_code == 302
    figure = Figure.objects.get(slug="new-chart")
    assert (figure.width, figure.height) == (1400, 700)
    assert [r["width"] for r in figure.renditions] == [320, 640, 960, 1280, 1400]
    assert figure.created_by == editor


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (ContentFile(b"<html><body>not a picture</body></html>", name="chart.png"), "not a JPEG, PNG, WebP or GIF"),
        (ContentFile(png((7000, 6000)), name="huge.png"), "at most 40 million pixels"),
    ],
)
def test_a_bad_upload_is_refused_with_a_clear_message_and_the_form_keeps_what_was_typed(
    client_for, editor, image, message
):
    response = client_for(editor).post("/admin/policies/figure/add/", figure_form(image))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Typed alt text" in html and "Typed caption" in html
    assert not Figure.objects.exists()


def test_a_photo_uploaded_with_its_gps_position_is_stored_without_it(client_for, editor):
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 31.0, 48.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    buffer = BytesIO()
    Image.new("RGB", (800, 600), "olive").save(buffer, format="JPEG", exif=exif.tobytes())
    photo = ContentFile(buffer.getvalue(), name="site-visit.jpg")
    assert client_for(editor).post("/admin/policies/figure/add/", figure_form(photo)).status_code == 302
    figure = Figure.objects.get()
    stored = Image.open(figure.image.open("rb"))
    assert stored.format == "JPEG" and dict(stored.getexif()) == {}
    for rendition in figure.renditions:
        assert not Image.open(figure.image.storage.open(rendition["fallback"])).getexif()


def test_replacing_the_image_replaces_its_renditions(client_for, editor):
    figure = make_figure(size=(700, 300))
    old = [r["webp"] for r in figure.renditions]
    data = {"slug": figure.slug, "alt_text": figure.alt_text, "image": ContentFile(png((500, 250)), name="b.png")}
    assert client_for(editor).post(f"/admin/policies/figure/{figure.pk}/change/", data).status_code == 302
    figure.refresh_from_db()
    assert [r["width"] for r in figure.renditions] == [320, 500]
    assert not any(figure.image.storage.exists(name) for name in old)


def test_the_hero_upload_is_checked_too(client_for, editor):
    analysis = AnalysisFactory()
    response = client_for(editor).get(f"/admin/policies/policyanalysis/{analysis.pk}/change/")
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in response.content.decode()


# The analysis page


def test_a_cited_figure_is_a_responsive_lazy_picture_with_caption_and_credit(client):
    make_figure(caption="Funding by fund", credit="Source: UKRI")
    analysis = AnalysisFactory(body="Intro.\n\n[[figure:chart]]\n\nMore.")
    html = client.get(analysis.get_absolute_url()).content.decode()
    source = tag(html, r'<source type="image/webp"[^>]*>')
    img = tag(html, r'<img src="[^"]*figures/renditions/chart-960\.png"[^>]*>')
    assert "chart-320.webp 320w" in source and "chart-1000.webp 1000w" in source
    assert 'sizes="(min-width: 44rem) 42rem, calc(100vw - 2rem)"' in img
    assert "chart-640.png 640w" in img
    assert 'width="1000" height="500"' in img
    assert 'loading="lazy"' in img and 'decoding="async"' in img
    assert 'alt="Bars: one long, one short."' in img
    assert '<figcaption>Funding by fund — <span class="figure__credit">Source: UKRI</span></figcaption>' in html


def test_the_hero_has_renditions_and_is_fetched_at_once(client):
    analysis = AnalysisFactory(hero_alt="A glass atrium", body="[[figure:chart]]")
    analysis.hero_image.save("hero.png", ContentFile(png((2400, 1200))), save=True)
    analysis_hero_renditions_refresh(analysis=analysis)
    make_figure()
    html = client.get(analysis.get_absolute_url()).content.decode()
    hero = tag(html, r'<figure class="hero">.*?</figure>')
    assert "hero-1920.webp 1920w" in hero and 'width="2400" height="1200"' in hero
    assert 'fetchpriority="high"' in hero and "loading=" not in hero
    # The hero fills the first screen, so a figure opening the body still waits its turn.
    assert 'loading="lazy"' in tag(html, r'<img src="[^"]*chart-[^>]*>')


def test_a_figure_opening_a_body_with_no_hero_is_not_lazy(client):
    make_figure()
    analysis = AnalysisFactory(body="[[figure:chart]]\n\nText.")
    img = tag(client.get(analysis.get_absolute_url()).content.decode(), r'<img src="[^"]*chart-[^>]*>')
    assert 'fetchpriority="high"' in img and "loading=" not in img


def test_a_decorative_figure_has_empty_alt(client):
    make_figure(alt_text="", decorative=True)
    analysis = AnalysisFactory(body="Text.\n\n[[figure:chart]]")
    assert 'alt=""' in tag(client.get(analysis.get_absolute_url()).content.decode(), r'<img src="[^"]*chart-[^>]*>')


def test_a_chart_offers_its_data_as_a_table_without_javascript(client):
    make_figure(caption="Funding by fund", data_table=CHART_DATA)
    analysis = AnalysisFactory(body="Text.\n\n[[figure:chart]]")
    details = tag(client.get(analysis.get_absolute_url()).content.decode(), r"<details.*?</details>")
    assert "<summary>Show the data for this chart</summary>" in details
    assert '<caption class="visually-hidden">Funding by fund</caption>' in details
    assert '<th scope="col">Fund</th><th scope="col">£ million</th>' in details
    assert '<th scope="row">Local Innovation Partnerships</th><td>500</td>' in details


def test_figure_text_is_escaped(client):
    make_figure(caption="<script>x()</script>", data_table="A,B\n<b>r</b>,1\n")
    analysis = AnalysisFactory(body="Text.\n\n[[figure:chart]]")
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert "<script>x()" not in html and "&lt;script&gt;x()" in html
    assert "<b>r</b>" not in html


def test_the_page_costs_the_same_queries_with_one_figure_or_five(client, django_assert_max_num_queries):
    client.get(AnalysisFactory().get_absolute_url())  # the content types are read once per process
    counts = []
    for number in (1, 5):
        slugs = [f"n{number}-chart-{index}" for index in range(number)]
        for slug in slugs:
            make_figure(slug=slug, size=(400, 200), data_table=CHART_DATA)
        analysis = AnalysisFactory(body="\n\n".join(f"Text.\n\n[[figure:{slug}]]" for slug in slugs))
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(9):
            response = client.get(analysis.get_absolute_url())
        assert response.content.count(b'<figure class="figure">') == number
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_unknown_slug_shows_readers_nothing_and_editors_a_message(client, client_for, editor):
    analysis = AnalysisFactory(body='Text.\n\n[[figure:no-such-chart]]\n\n[[figure:"><script>]]')
    public = client.get(analysis.get_absolute_url()).content.decode()
    assert "no-such-chart" not in public and "Figure not found" not in public
    assert "<script>]]" not in public

    draft = AnalysisFactory(body=analysis.body, status=PolicyAnalysis.Status.DRAFT)
    preview = client_for(editor).get(draft.get_absolute_url()).content.decode()
    assert "No figure has the slug “no-such-chart”" in preview


def test_the_editors_preview_shows_figures_and_names_a_missing_one(client_for, editor):
    make_figure(caption="Funding by fund")
    body = "[[figure:chart]]\n\n[[figure:chrat]]"
    response = client_for(editor).post("/admin/policies/policyanalysis/preview/?fragment=1", {"body": body})
    html = response.content.decode()
    assert "Funding by fund" in html and "chart-320.webp" in html
    assert "No figure has the slug “chrat”" in html


def test_the_command_makes_the_renditions_pictures_lack(client):
    analysis = AnalysisFactory(hero_alt="A glass atrium")
    analysis.hero_image.save("old-hero.png", ContentFile(png((800, 400))), save=True)
    figure = make_figure()
    assert analysis.hero_renditions == []

    call_command("make_renditions", verbosity=0)

    analysis.refresh_from_db()
    assert [r["width"] for r in analysis.hero_renditions] == [320, 640, 800]
    assert 'srcset="' in tag(
        client.get(analysis.get_absolute_url()).content.decode(), r'<figure class="hero">.*?</figure>'
    )
    unchanged = figure.renditions
    figure.refresh_from_db()
    assert figure.renditions == unchanged


def test_the_figure_list_and_form_show_the_picture_and_its_marker(client_for, editor):
    figure = make_figure(caption="Funding by fund")
    listing = client_for(editor).get("/admin/policies/figure/").content.decode()
    assert "chart-320.webp" in listing and "Funding by fund" in listing
    form = client_for(editor).get(f"/admin/policies/figure/{figure.pk}/change/").content.decode()
    assert "[[figure:chart]]" in form and "1000 × 500" in form
