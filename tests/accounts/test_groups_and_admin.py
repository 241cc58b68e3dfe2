import pytest
from django.contrib.auth.models import Group

from accounts.roles import EDITORS, MODERATORS, role_codenames
from policies.models import PolicyAnalysis
from tests.factories import AnalysisFactory, AuthorFactory

pytestmark = pytest.mark.django_db

EDITOR_PAGES = [
    "/admin/policies/policyanalysis/",
    "/admin/policies/policyanalysis/add/",
    "/admin/topics/topic/",
    "/admin/policies/author/",
    "/admin/policies/report/",
    "/admin/webinars/webinar/",
    "/admin/webinars/speaker/",
    "/admin/webinars/quote/",
]


def test_the_migration_creates_the_groups_with_exactly_their_permissions():
    for role in (EDITORS, MODERATORS):
        group = Group.objects.get(name=role)
        granted = {(p.content_type.app_label, p.codename) for p in group.permissions.select_related("content_type")}
        assert granted == role_codenames(role)
    assert ("policies", "change_policyanalysis") in role_codenames(EDITORS)
    assert not any(app == "policies" for app, _ in role_codenames(MODERATORS))


@pytest.mark.parametrize("url", EDITOR_PAGES)
def test_editors_manage_publishing_and_others_do_not(client_for, editor, moderator, stakeholder, superuser, url):
    assert client_for(editor).get(url).status_code == 200
    assert client_for(superuser).get(url).status_code == 200
    assert client_for(moderator).get(url).status_code == 403
    assert client_for(stakeholder).get(url).status_code == 302  # to the admin log-in


def test_the_admin_records_the_acting_user(client_for, editor):
    author = AuthorFactory()
    response = client_for(editor).post(
        "/admin/policies/policyanalysis/add/",
        {
            "section": "Policy & Insight",
            "title": "New thinking",
            "slug": "new-thinking",
            "author": author.pk,
            "kind": "Analysis",
            "standfirst": "Opening.",
            "body": "Body.",
            "status": "draft",
            "publish_at_0": "2026-01-01",
            "publish_at_1": "09:00:00",
            "comments_open": "on",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    analysis = PolicyAnalysis.objects.get(slug="new-thinking")
    assert analysis.created_by == editor and analysis.updated_by == editor


def test_the_analysis_changelist_costs_few_queries(client_for, editor, django_assert_max_num_queries):
    AnalysisFactory.create_batch(20)
    client = client_for(editor)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/policies/policyanalysis/").status_code == 200


def test_autocomplete_serves_quotes_to_editors(client_for, editor):
    response = client_for(editor).get(
        "/admin/autocomplete/",
        {"app_label": "policies", "model_name": "quotecitation", "field_name": "quote", "term": ""},
    )
    assert response.status_code == 200
