from datetime import timedelta

import pytest
from django.utils import timezone

from policies.models import PolicyAnalysis
from tests.factories import AppearanceFactory, QuoteCitationFactory, QuoteFactory, SpeakerFactory, WebinarFactory
from webinars.models import Appearance, Webinar

pytestmark = pytest.mark.django_db


def test_webinar_status_is_derived_from_time():
    upcoming = WebinarFactory(starts_at=timezone.now() + timedelta(days=1))
    running = WebinarFactory(starts_at=timezone.now() - timedelta(minutes=30), duration=timedelta(hours=1))
    past = WebinarFactory(starts_at=timezone.now() - timedelta(days=3))
    assert set(Webinar.objects.upcoming()) == {upcoming, running}
    assert list(Webinar.objects.past()) == [past]
    assert str(past.status) == "Past" and str(upcoming.status) == "Upcoming"


def test_webinar_page_shows_speakers_in_order_quotes_and_citing_analyses(client, django_assert_max_num_queries):
    webinar = WebinarFactory()
    second = AppearanceFactory(webinar=webinar, order=2, role=Appearance.Role.PANELLIST, speaker__name="Zed")
    first = AppearanceFactory(webinar=webinar, order=1, role=Appearance.Role.CHAIR, speaker__name="Amy")
    quote = QuoteFactory(webinar=webinar, speaker=first.speaker, text="Clusters take years.")
    citation = QuoteCitationFactory(quote=quote)
    QuoteCitationFactory(quote=QuoteFactory(webinar=webinar), analysis__status=PolicyAnalysis.Status.DRAFT)
    with django_assert_max_num_queries(8):
        response = client.get(webinar.get_absolute_url())
    html = response.content.decode()
    assert html.index(first.speaker.full_name) < html.index(second.speaker.full_name)
    assert "Chair" in html and "Clusters take years." in html
    assert citation.analysis.title in html
    assert list(response.context["citing"]) == [citation.analysis]


def test_speaker_page_shows_bio_appearances_quotes_and_citations(client):
    speaker = SpeakerFactory(bio="Leads a lab.")
    appearance = AppearanceFactory(speaker=speaker)
    citation = QuoteCitationFactory(quote__speaker=speaker, quote__webinar=appearance.webinar)
    html = client.get(speaker.get_absolute_url()).content.decode()
    for text in ("Leads a lab.", appearance.webinar.title, citation.quote.text, citation.analysis.title):
        assert text in html


def test_webinar_list_splits_upcoming_and_past(client):
    WebinarFactory(title="Next month")
    WebinarFactory(title="Last year", starts_at=timezone.now() - timedelta(days=365))
    response = client.get("/webinars/")
    assert [w.title for w in response.context["upcoming"]] == ["Next month"]
    assert [w.title for w in response.context["past"]] == ["Last year"]


def test_readers_discuss_a_webinar_under_its_page(client, django_assert_max_num_queries):
    from comments.models import Comment
    from tests.factories import CommentFactory

    webinar = WebinarFactory()
    CommentFactory(target=webinar, status=Comment.Status.APPROVED, text="A useful session.")
    CommentFactory(target=webinar, status=Comment.Status.PENDING, text="Still waiting.")
    with django_assert_max_num_queries(12):
        response = client.get(webinar.get_absolute_url())
    html = response.content.decode()
    assert "Tell us what you think" in html
    assert "A useful session." in html and "Still waiting." not in html
    assert f'action="/comments/webinar/{webinar.pk}/post/"' in html


def test_a_guest_comment_on_a_webinar_is_kept_for_confirmation(client):
    from comments.models import Comment
    from tests.factories import PolicyVersionFactory

    PolicyVersionFactory()
    webinar = WebinarFactory()
    page = client.get(webinar.get_absolute_url())
    form = page.context["comment_form"]
    data = {name: field.value() or "" for name, field in ((n, form[n]) for n in form.fields)}
    data.update(name="Ada", email="ada@example.org", text="Will the slides be shared?", accept_policy="on")
    response = client.post(f"/comments/webinar/{webinar.pk}/post/", data)
    assert response.status_code == 302, response.context["comment_form"].errors
    comment = Comment.objects.get(text="Will the slides be shared?")
    assert comment.target == webinar
