"""Queries with known answers over the demo content: each expected page is among the first three, on
SQLite (the fallback) and on PostgreSQL (full-text search) alike."""

import pytest

from consultations.demo import CLOSED_SLUG, CONCLUDED_SLUG, OPEN_SLUG
from policies.demo import SEED_SLUG
from search.selectors import Criteria, site_search
from webinars.demo import CLUSTERS_WEBINAR

KNOWN_ANSWERS = [
    ("research clusters", f"/analyses/{SEED_SLUG}/"),
    ("Boston Leuven", "/analyses/cluster-lessons-from-abroad/"),
    ("junk food advertising", "/analyses/obesity-and-cancer-advertising/"),
    ("clinical trials", "/analyses/clinical-trials-recovery/"),
    ("screening", "/analyses/screening-uptake-inequalities/"),
    ("diagnostic workforce gap", "/analyses/diagnostic-workforce-gap/"),
    ("stop-smoking services", "/analyses/stop-smoking-services-funding/"),
    ("Life Sciences Sector Plan", "/analyses/life-sciences-sector-plan/"),
    ('"community diagnostic centres"', "/analyses/community-diagnostic-centres/"),
    ("Rothwell", f"/webinars/{CLUSTERS_WEBINAR}/"),
    ("Jessica Corner", f"/webinars/{CLUSTERS_WEBINAR}/"),
    ("scanners diagnostic capacity", "/webinars/early-diagnosis-workforce/"),
    ("prevention pays", "/webinars/prevention-pays/"),
    ("smokefree generation", f"/consultations/{CLOSED_SLUG}/"),
    ("radiologists endoscopists", f"/consultations/{CONCLUDED_SLUG}/"),
    ("universities industry local leaders", f"/consultations/{OPEN_SLUG}/"),
    ("training places imaging equipment", f"/consultations/{CONCLUDED_SLUG}/#outcome-heading"),
]


@pytest.mark.parametrize(("text", "expected"), KNOWN_ANSWERS, ids=[text for text, _ in KNOWN_ANSWERS])
def test_it_finds_the_expected_page_in_the_top_three(demo, text, expected):
    urls = [result.url for result in site_search(Criteria(text=text)).object_list]

    assert expected in urls[:3], urls


@pytest.mark.parametrize(
    "text",
    [
        "polluter-pays levy",  # an analysis scheduled for later
        "Research tax credits",  # a draft
    ],
)
def test_it_never_finds_drafts_or_analyses_scheduled_for_later(demo, text):
    urls = [result.url for result in site_search(Criteria(text=text)).object_list]

    assert not any(url.startswith(("/analyses/tobacco-levy-consultation/", "/analyses/draft-")) for url in urls)
