from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations.duplicates import fingerprint
from policies.models import Author, PolicyAnalysis, QuoteCitation, Report
from topics.models import Topic
from webinars.models import Appearance, Quote, Speaker, Webinar


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


# --- Consultations ------------------------------------------------------------------


class ConsultationFactory(factory.django.DjangoModelFactory):
    """An open consultation unless told otherwise."""

    class Meta:
        model = "consultations.Consultation"

    title = factory.Sequence(lambda n: f"Consultation {n}")
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    summary = "What should we ask government for?"
    body = "Some **background**."
    is_published = True
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    contact_email = "policy@example.org"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consultations.Section"

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(lambda n: n + 1)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consultations.Question"

    section = factory.SubFactory(SectionFactory)
    consultation = factory.SelfAttribute("section.consultation")
    text = factory.Sequence(lambda n: f"Question {n}?")
    order = factory.Sequence(lambda n: n + 1)
    kind = "text"


class ResponseFactory(factory.django.DjangoModelFactory):
    """A submitted individual response; pass status="draft" for one still being written."""

    class Meta:
        model = "consultations.Response"

    consultation = factory.SubFactory(ConsultationFactory)
    status = "submitted"
    email = factory.Sequence(lambda n: f"respondent{n}@example.org")
    name = factory.Sequence(lambda n: f"Respondent {n}")
    respondent_type = "individual"
    tobacco_links = "no"
    consent = "private"
    submitted_at = factory.LazyFunction(timezone.now)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consultations.Answer"
        skip_postgeneration_save = True

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(
        QuestionFactory, section__consultation=factory.SelfAttribute("...response.consultation")
    )
    text = "An answer."
    fingerprint = factory.LazyAttribute(lambda answer: fingerprint(answer.text))


# --- Comments -------------------------------------------------------------------------


class CommentPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "moderation.CommentPolicy"
        django_get_or_create = ("title",)

    title = "Comment policy"


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    """A version in force, with its clauses numbered from 1."""

    class Meta:
        model = "moderation.PolicyVersion"
        skip_postgeneration_save = True

    policy = factory.SubFactory(CommentPolicyFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Be kind and stay on topic."
    effective_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))

    @factory.post_generation
    def clauses(self, create: bool, titles: list[str] | None, **kwargs) -> None:
        if not create:
            return
        for number, title in enumerate(titles or ["Abusive or discriminatory", "Off-topic", "Spam"], start=1):
            self.clauses.create(number=number, title=title, text=f"No {title.lower()} comments.")


def policy_version_in_force():
    from moderation.models import PolicyVersion

    return PolicyVersion.objects.current() or PolicyVersionFactory()


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved comment on an analysis; pass ``parent`` for a reply."""

    class Meta:
        model = "comments.Comment"

    target = factory.SubFactory(AnalysisFactory)
    author_name = factory.Sequence(lambda n: f"Commenter {n}")
    author_email = factory.Sequence(lambda n: f"commenter{n}@example.org")
    text = factory.Sequence(lambda n: f"A thoughtful comment, number {n}.")
    status = "approved"
    policy_version = factory.LazyFunction(policy_version_in_force)
    confirmed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        from comments.services import comment_insert

        if parent is not None:
            kwargs["target"] = parent.target
        return comment_insert(comment=model_class(*args, **kwargs), parent=parent)


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "comments.Flag"

    comment = factory.SubFactory(CommentFactory)
    clause = factory.LazyAttribute(lambda flag: flag.comment.policy_version.clauses.first())
    user = factory.SubFactory(UserFactory)


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber to every new analysis, by email as published."""

    class Meta:
        model = "notifications.Subscriber"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"subscriber{n}@example.org")
    all_analyses = True
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(self, create: bool, topics: list | None, **kwargs) -> None:
        if create and topics:
            self.topics.set(topics)
