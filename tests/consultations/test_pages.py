import pytest

pytestmark = pytest.mark.django_db


def test_readers_discuss_a_consultation_under_its_page(client):
    from comments.models import Comment
    from tests.factories import CommentFactory, ConsultationFactory

    consultation = ConsultationFactory()
    CommentFactory(target=consultation, status=Comment.Status.APPROVED, text="Will charities be heard?")
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "Will charities be heard?" in html
    assert f'action="/comments/consultation/{consultation.pk}/post/"' in html
