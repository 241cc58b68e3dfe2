"""Demo webinars: the research-clusters webinar the seed analysis quotes, and others for lists, speaker
pages and topic pages. Every row is keyed by its slug (a quote by its speaker and text), so loading twice
changes nothing. The analyses' demo (``policies.demo``) loads these first and cites the quotes.
"""

from datetime import datetime
from typing import NotRequired, TypedDict
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from topics.models import Topic
from webinars.models import Appearance, Quote, Speaker, Webinar

LONDON = ZoneInfo("Europe/London")

SPEAKERS = {
    "nancy-rothwell": (
        "Dame",
        "Nancy Rothwell",
        "Deputy Chair of the Industrial Strategy Advisory Council",
        "Department for Business and Trade",
        "A physiologist and former President and Vice-Chancellor of the University of Manchester, "
        "she advises government on place, skills and innovation.",
    ),
    "jessica-corner": (
        "Professor Dame",
        "Jessica Corner",
        "Executive Chair of Research England and Executive Champion for Place",
        "UKRI",
        "She leads Research England and champions place-based research and innovation across UKRI.",
    ),
    "david-argyle": (
        "Professor",
        "David Argyle",
        "Vice Principal and Head of College of Medicine and Veterinary Medicine",
        "University of Edinburgh",
        "He is helping to build a biomedical research cluster across Scotland and the North East of England.",
    ),
    "priya-raman": (
        "Dr",
        "Priya Raman",
        "Head of Policy",
        "",
        "She leads the policy team's work on research, prevention and early diagnosis.",
    ),
    "tom-ellery": (
        "",
        "Tom Ellery",
        "Director of Public Health",
        "Northshire County Council",
        "He runs local stop-smoking services and a county-wide prevention programme.",
    ),
    "aisha-bello": (
        "Professor",
        "Aisha Bello",
        "Chair in Health Economics",
        "University of the Midlands",
        "Her research measures what prevention and early diagnosis are worth to the NHS.",
    ),
    "martin-kowalski": (
        "Dr",
        "Martin Kowalski",
        "Consultant Oncologist",
        "Riverside NHS Foundation Trust",
        "He treats patients with lung cancer and leads his trust's rapid diagnosis centre.",
    ),
}

CLUSTERS_WEBINAR = "clusters-investing-for-impact-webinar"


class WebinarSeed(TypedDict):
    title: str
    starts_at: datetime
    description: str
    registration_url: NotRequired[str]
    recording_url: NotRequired[str]
    topics: list[str]


WEBINARS: dict[str, WebinarSeed] = {
    CLUSTERS_WEBINAR: {
        "title": "Clusters: Investing for Impact",
        "starts_at": datetime(2025, 5, 20, 13, 0, tzinfo=LONDON),
        "description": (
            "Experts on place-based research reflect on our report *Clusters: Investing for Impact*: "
            "what makes a research cluster succeed, and what governments at every level can do to help."
        ),
        "recording_url": "https://www.youtube.com/@CancerResearchUK",
        "topics": ["research-clusters", "industrial-strategy"],
    },
    "smokefree-generation-what-next": {
        "title": "A smokefree generation: what next?",
        "starts_at": datetime(2025, 2, 11, 12, 30, tzinfo=LONDON),
        "description": "Local and national leaders on raising the age of sale and funding stop-smoking services.",
        "topics": ["tobacco-control", "cancer-prevention"],
    },
    "early-diagnosis-workforce": {
        "title": "Who will diagnose cancer early? The workforce question",
        "starts_at": datetime(2025, 9, 16, 13, 0, tzinfo=LONDON),
        "description": "Clinicians and economists on the diagnostic workforce the NHS needs by 2035.",
        "topics": ["nhs-cancer-services"],
    },
    "prevention-pays": {
        "title": "Prevention pays: the economics of a healthier nation",
        "starts_at": datetime(2026, 12, 9, 13, 0, tzinfo=LONDON),
        "description": "How spending on prevention now saves money and lives later.",
        "registration_url": "https://www.eventbrite.co.uk/",
        "topics": ["cancer-prevention"],
    },
    "research-budget-2027": {
        "title": "The research budget after the Spending Review",
        "starts_at": datetime(2027, 1, 20, 12, 0, tzinfo=LONDON),
        "description": "A look at the allocations for science and what they mean for charity-funded research.",
        "registration_url": "https://www.eventbrite.co.uk/",
        "topics": ["research-funding"],
    },
}

# Who spoke at each webinar, in order: (webinar slug, speaker slug, role).
APPEARANCES = [
    (CLUSTERS_WEBINAR, "priya-raman", Appearance.Role.CHAIR),
    (CLUSTERS_WEBINAR, "jessica-corner", Appearance.Role.KEYNOTE),
    (CLUSTERS_WEBINAR, "nancy-rothwell", Appearance.Role.PANELLIST),
    (CLUSTERS_WEBINAR, "david-argyle", Appearance.Role.PANELLIST),
    ("smokefree-generation-what-next", "priya-raman", Appearance.Role.CHAIR),
    ("smokefree-generation-what-next", "tom-ellery", Appearance.Role.KEYNOTE),
    ("smokefree-generation-what-next", "aisha-bello", Appearance.Role.PANELLIST),
    ("early-diagnosis-workforce", "priya-raman", Appearance.Role.CHAIR),
    ("early-diagnosis-workforce", "martin-kowalski", Appearance.Role.KEYNOTE),
    ("early-diagnosis-workforce", "aisha-bello", Appearance.Role.PANELLIST),
    ("prevention-pays", "aisha-bello", Appearance.Role.KEYNOTE),
    ("prevention-pays", "tom-ellery", Appearance.Role.PANELLIST),
    ("research-budget-2027", "priya-raman", Appearance.Role.CHAIR),
    ("research-budget-2027", "jessica-corner", Appearance.Role.KEYNOTE),
]

# (key, speaker, webinar, text, context)
QUOTES = [
    (
        "corner-transformational",
        "jessica-corner",
        CLUSTERS_WEBINAR,
        "I think it's a really exciting time and a completely transformational way of the Government, "
        "funding agencies and institutions working closely together.",
        "On the Local Innovation Partnerships fund",
    ),
    (
        "rothwell-down-the-corridor",
        "nancy-rothwell",
        CLUSTERS_WEBINAR,
        "It's much easier to work with somebody that you can just walk down the street to, or even down the corridor.",
        "On why place matters, and why transport links matter too",
    ),
    (
        "argyle-feedback-loop",
        "david-argyle",
        CLUSTERS_WEBINAR,
        "A positive feedback loop.",
        "On how transport links and partnerships across universities, the NHS and industry attract talent",
    ),
    (
        "ellery-quit-services",
        "tom-ellery",
        "smokefree-generation-what-next",
        "Every pound we put into stop-smoking support comes back to the county several times over.",
        "On local funding for stop-smoking services",
    ),
    (
        "kowalski-capacity",
        "martin-kowalski",
        "early-diagnosis-workforce",
        "We can't diagnose cancer earlier with the scanners and staff we had ten years ago.",
        "On diagnostic capacity",
    ),
]


@transaction.atomic
def load(topics: dict[str, Topic] | None = None) -> dict[str, Quote]:
    """Speakers, webinars, appearances and quotes; the quotes by key, for the analyses to cite."""
    if topics is None:
        topics = {topic.slug: topic for topic in Topic.objects.all()}
    speakers = {
        slug: Speaker.objects.update_or_create(
            slug=slug,
            defaults={"honorific": honorific, "name": name, "role": role, "organisation": org, "bio": bio},
        )[0]
        for slug, (honorific, name, role, org, bio) in SPEAKERS.items()
    }
    webinars = _load_webinars(speakers, topics)
    return {
        key: Quote.objects.update_or_create(
            speaker=speakers[speaker],
            webinar=webinars[webinar],
            text=text,
            defaults={"context": context, "said_on": timezone.localdate(webinars[webinar].starts_at)},
        )[0]
        for key, speaker, webinar, text, context in QUOTES
    }


def _load_webinars(speakers: dict, topics: dict) -> dict[str, Webinar]:
    webinars = {}
    for slug, data in WEBINARS.items():
        webinar, _ = Webinar.objects.update_or_create(
            slug=slug,
            defaults={
                "title": data["title"],
                "starts_at": data["starts_at"],
                "description": data["description"],
                "registration_url": data.get("registration_url", ""),
                "recording_url": data.get("recording_url", ""),
            },
        )
        webinar.topics.set([topics[t] for t in data["topics"]])
        webinars[slug] = webinar
    for order, (webinar_slug, speaker, role) in enumerate(APPEARANCES, start=1):
        Appearance.objects.update_or_create(
            webinar=webinars[webinar_slug], speaker=speakers[speaker], defaults={"role": role, "order": order}
        )
    return webinars
