"""Who may open each staff page: editors build and conclude, analysts analyse, moderators publish answers."""

import pytest

from accounts.roles import ANALYSTS, role_codenames
from tests.factories import AnswerFactory, ConsultationFactory, QuestionFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", is_staff=True, groups=[ANALYSTS])


@pytest.fixture
def setting(db):
    consultation = ConsultationFactory()
    question = QuestionFactory(section__consultation=consultation)
    answer = AnswerFactory(response=ResponseFactory(consultation=consultation, consent="named"), question=question)
    answer.publication = "pending"
    answer.save()
    return consultation, question, answer


PAGES = {
    # page: the roles that get 200; other staff get 403, anyone else is sent to log in.
    "/admin/consultations/consultation/": {"editor", "analyst"},
    "/admin/consultations/consultation/add/": {"editor"},
    "/admin/consultations/consultation/{c}/change/": {"editor", "analyst"},
    "/admin/consultations/consultation/{c}/analysis/": {"analyst"},
    "/admin/consultations/consultation/{c}/analysis/{q}/": {"analyst"},
    "/admin/consultations/consultation/{c}/export.csv": {"analyst"},
    "/admin/consultations/consultation/{c}/export.xlsx": {"analyst"},
    "/admin/consultations/consultation/{c}/conclude/": {"editor"},
    "/admin/consultations/lateresponselink/add/": {"editor"},
    "/admin/consultations/response/": {"analyst"},
    "/admin/consultations/answer/": {"moderator"},
    "/admin/consultations/answer/{a}/change/": {"moderator"},
}


@pytest.mark.parametrize(("template", "allowed"), PAGES.items())
def test_the_staff_permission_matrix(
    client_for, setting, editor, moderator, analyst, stakeholder, superuser, template, allowed
):
    consultation, question, answer = setting
    url = template.format(c=consultation.pk, q=question.pk, a=answer.pk)
    staff = {"editor": editor, "moderator": moderator, "analyst": analyst}
    for name, user in staff.items():
        expected = 200 if name in allowed else 403
        assert client_for(user).get(url).status_code == expected, (name, url)
    assert client_for(superuser).get(url).status_code == 200
    for outsider in (stakeholder, None):
        response = client_for(outsider).get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_the_analysts_group_holds_exactly_its_permissions():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=ANALYSTS)
    granted = {(p.content_type.app_label, p.codename) for p in group.permissions.select_related("content_type")}
    assert granted == role_codenames(ANALYSTS)
    assert ("consultations", "analyse_consultation") in granted
    assert ("consultations", "moderate_answer") not in granted


def test_a_response_link_is_a_404_for_a_wrong_token(client):
    assert client.get("/responses/not-a-token/").status_code == 404
    assert client.post("/responses/not-a-token/withdraw/").status_code == 404
    assert client.get("/late-responses/not-a-token/").status_code == 404
