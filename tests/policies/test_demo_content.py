import pytest
from django.apps import apps
from django.core.management import call_command
from reversion.models import Version

from policies.demo import CHART_SLUG, SEED_SLUG
from policies.models import Figure, PolicyAnalysis

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list]:
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in {"policies", "webinars", "consultations"}:
            fields = [f.attname for f in model._meta.concrete_fields if f.attname not in {"updated_at"}]
            state[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return state


def test_loading_the_demo_twice_changes_nothing():
    call_command("load_demo_content", verbosity=0)
    first = snapshot()
    call_command("load_demo_content", verbosity=0)
    assert snapshot() == first
    assert PolicyAnalysis.objects.published().count() >= 12


def test_the_demo_analysis_is_modelled_on_the_seed_page(client):
    call_command("load_demo_content", verbosity=0)
    analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)
    html = client.get(analysis.get_absolute_url()).content.decode()
    for text in (
        "Have the Spending Review and Industrial Strategy delivered for research clusters?",
        "Emma Cattermole",
        "1 July 2025",
        "Francis Crick Institute",
        "£500m",
        "Professor Dame Jessica Corner",
        "Dame Nancy Rothwell",
        "Clusters: Investing for Impact",
    ):
        assert text in html, text
    assert html.count('class="quote"') == 2


def test_the_demo_analysis_looks_back_on_its_webinar_and_keeps_one_first_version(client):
    call_command("load_demo_content", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)

    html = client.get(analysis.get_absolute_url()).content.decode()

    assert "Looking back on our webinar" in html
    for speaker in ("Professor Dame Jessica Corner", "Dame Nancy Rothwell", "Professor David Argyle"):
        assert speaker in html
    assert "A positive feedback loop." in html
    assert Version.objects.get_for_object(analysis).count() == 1
    assert analysis.updates.count() == 1 and "Updated" in html


def test_the_demo_analysis_cites_a_chart_drawn_from_its_data_table(client):
    call_command("load_demo_content", verbosity=0)
    chart = Figure.objects.get(slug=CHART_SLUG)
    assert chart.width == 1200 and chart.table is not None
    assert ["Global Talent fund", "54"] in chart.table.rows
    assert [r["width"] for r in chart.renditions] == [320, 640, 960, 1200]
    assert all(chart.image.storage.exists(r["webp"]) for r in chart.renditions)
    analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)
    assert [r["width"] for r in analysis.hero_renditions] == [320, 640, 960, 1200]
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert f'id="figure-{CHART_SLUG}"' in html
    assert "Show the data for this chart" in html
