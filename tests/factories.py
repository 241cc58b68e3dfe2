from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations.models import Appearance, Quote, Speaker, Webinar
from policies.models import Author, PolicyAnalysis, QuoteCitation, Report, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create: bool, names: list[str] | None, **kwargs) -> None:
        if create and names:
            self.groups.set(Group.objects.filter(name__in=names))


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "Policy Adviser"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    title = factory.Sequence(lambda n: f"Report {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")
    url = factory.Sequence(lambda n: f"https://example.org/reports/{n}")


class AnalysisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyAnalysis

    title = factory.Sequence(lambda n: f"Analysis {n}")
    slug = factory.Sequence(lambda n: f"analysis-{n}")
    standfirst = "A short opening."
    body = "Some **Markdown** text."
    author = factory.SubFactory(AuthorFactory)
    status = PolicyAnalysis.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    honorific = "Professor"
    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    role = "Director of Research"
    organisation = "University of Somewhere"


class WebinarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webinar

    title = factory.Sequence(lambda n: f"Webinar {n}")
    slug = factory.Sequence(lambda n: f"webinar-{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    description = "A discussion."


class AppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appearance

    webinar = factory.SubFactory(WebinarFactory)
    speaker = factory.SubFactory(SpeakerFactory)


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    text = factory.Sequence(lambda n: f"Words worth quoting, number {n}.")
    speaker = factory.SubFactory(SpeakerFactory)
    webinar = factory.SubFactory(WebinarFactory)


class QuoteCitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteCitation

    analysis = factory.SubFactory(AnalysisFactory)
    quote = factory.SubFactory(QuoteFactory)
    position = factory.Sequence(lambda n: n + 1)
