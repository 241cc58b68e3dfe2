"""The consultation list shows Analyse only to those who may analyse; the page itself refuses others with
the site's own 403 page, which says why and leads back."""

import pytest

from accounts.roles import ANALYSTS
from tests.factories import ConsultationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/consultations/consultation/"


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", is_staff=True, groups=[ANALYSTS])


def test_an_editor_sees_no_analyse_link_and_an_analyst_does(client_for, editor, analyst):
    consultation = ConsultationFactory()
    analysis = f"/admin/consultations/consultation/{consultation.pk}/analysis/"

    for_editor = client_for(editor).get(LIST).content.decode()
    assert consultation.title in for_editor
    assert analysis not in for_editor and ">Analyse<" not in for_editor

    for_analyst = client_for(analyst).get(LIST).content.decode()
    assert f'href="{analysis}"' in for_analyst


def test_the_url_gives_the_sites_styled_403_page(client_for, editor):
    consultation = ConsultationFactory()
    response = client_for(editor).get(f"/admin/consultations/consultation/{consultation.pk}/analysis/")

    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-header"' in html and "css/site" in html  # the site's own page, not Django's bare one
    assert "<h1>You cannot open this page</h1>" in html
    assert "Your account does not have the permission this page needs." in html
    assert 'href="/admin/"' in html and "Back to the staff pages" in html
    assert 'href="/"' in html
