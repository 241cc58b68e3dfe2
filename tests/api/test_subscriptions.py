import pytest

from notifications.models import Delivery, Subscriber
from tests.factories import SubscriberFactory, TopicFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/subscriptions/"


def test_subscribing_sends_a_confirmation_link_and_nothing_else(api, django_capture_on_commit_callbacks):
    TopicFactory(slug="prevention")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, {"email": "ada@example.org", "topics": ["prevention"]}, format="json")

    assert response.status_code == 202
    subscriber = Subscriber.objects.get(email="ada@example.org")
    assert not subscriber.is_confirmed
    assert [topic.slug for topic in subscriber.topics.all()] == ["prevention"]
    assert Delivery.objects.filter(recipient="ada@example.org").count() == 1


def test_the_answer_is_the_same_for_a_confirmed_address(api):
    SubscriberFactory(email="known@example.org")

    known = api.post(URL, {"email": "known@example.org", "webinars": True}, format="json")
    new = api.post(URL, {"email": "new@example.org", "webinars": True}, format="json")

    assert known.status_code == new.status_code == 202
    assert known.json() == new.json()
    assert Subscriber.objects.get(email="known@example.org").webinars is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not an address", "webinars": True}, "email"),
        ({"email": "ada@example.org"}, "non_field_errors"),
        ({"email": "ada@example.org", "topics": ["no-such-topic"]}, "topics"),
        ({"email": "ada@example.org", "topics": "prevention"}, "topics"),
        ({"email": "ada@example.org", "webinars": True, "frequency": "hourly"}, "frequency"),
        ({"email": "ada@example.org", "webinars": True, "colour": "blue"}, "colour"),
    ],
)
def test_bad_subscriptions_name_the_field(api, body, field):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Subscriber.objects.exists()


def test_the_sites_hourly_limit_applies_to_the_api_too(api, monkeypatch):
    monkeypatch.setattr("notifications.api.SUBSCRIBE_ATTEMPTS_PER_HOUR", 2)
    for number in range(2):
        assert api.post(URL, {"email": f"a{number}@example.org", "webinars": True}, format="json").status_code == 202

    response = api.post(URL, {"email": "a3@example.org", "webinars": True}, format="json")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    assert not Subscriber.objects.filter(email="a3@example.org").exists()
