import pytest

pytestmark = pytest.mark.django_db


def test_an_open_consultation_has_no_public_comment_form_under_its_questionnaire(client):
    from tests.factories import ConsultationFactory

    consultation = ConsultationFactory()
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "/post/" not in html and 'id="comments"' not in html
    assert "Your answers go to the policy team, not onto this page" in html
