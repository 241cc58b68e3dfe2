"""Demo consultations: one open on the seed's theme (how research clusters should be supported),
one closed with responses being analysed, one concluded with its outcome.

Rows are keyed by slug and created only when missing, so loading twice changes nothing;
dates are set relative to the first load, so the open one stays open for weeks.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from consultations.duplicates import fingerprint
from consultations.models import Answer, Attachment, Consultation, Question, QuestionTag, Response, Section
from policies.demo import SEED_SLUG
from policies.models import PolicyAnalysis, Report
from topics.models import Topic
from webinars.models import Webinar

LONDON = ZoneInfo("Europe/London")
OPEN_SLUG = "supporting-research-clusters"
CLOSED_SLUG = "smokefree-generation-priorities"
CONCLUDED_SLUG = "early-diagnosis-workforce"

CAMPAIGN = (
    "As a supporter of the Smokefree Futures campaign I urge you to back raising the age of sale every year, "
    "so that nobody born on or after 1 January 2009 can ever legally be sold tobacco."
)


def _day(offset: int, hour: int = 9) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=offset), time(hour), tzinfo=LONDON)


QUESTIONNAIRES = {
    OPEN_SLUG: [
        (
            "Your experience of research clusters",
            "Tell us how you work with a research cluster today.",
            [
                ("single", "How closely do you work with a research cluster?", True,
                 "Every day\nOften\nNow and then\nNot at all", False),
                ("multiple", "Which kinds of support would help your cluster most?", True,
                 "Long-term core funding\nShared laboratory space\nSkills and training\nLinks with the NHS\n"
                 "Help to attract investment", True),
                ("text", "What is the biggest obstacle your cluster faces?", False, "", False),
            ],
        ),
        (
            "Funding and government",
            "The Spending Review set research budgets until 2029–30.",
            [
                ("scale", "Research funding should be protected for ten years, not three.", True, "", False),
                ("yesno", "Should devolved and local governments have their own cluster budgets?", True, "", False),
                ("text", "What should government do first to support research clusters?", True, "", False),
            ],
        ),
    ],
    CLOSED_SLUG: [
        (
            "Priorities",
            "",
            [
                ("scale", "Raising the age of sale every year is the right approach.", True, "", False),
                ("multiple", "Which measures should come next?", False,
                 "Licensing for retailers\nA levy on tobacco manufacturers\nSmokefree outdoor spaces\n"
                 "Funding for stop-smoking services", True),
                ("text", "What else should a smokefree generation policy include?", False, "", False),
            ],
        ),
    ],
    CONCLUDED_SLUG: [
        (
            "The workforce",
            "",
            [
                ("yesno", "Do diagnostic services near you have enough staff?", True, "", False),
                ("text", "What would most help diagnose cancer earlier?", True, "", False),
            ],
        ),
    ],
}  # fmt: skip

CONSULTATIONS = {
    OPEN_SLUG: {
        "title": "How should research clusters be supported?",
        "summary": "We want to hear from researchers, universities, the NHS, industry and local leaders about "
        "what research clusters need from government to improve cancer prevention and care.",
        "body": "Research clusters bring talent, infrastructure and investment together in one place. The "
        "Industrial Strategy and the Spending Review took on board some of our proposals, but how clusters "
        "are funded and supported over the next decade is still being decided.\n\n"
        "Your answers will shape what we ask government for. The questionnaire takes about ten minutes; you "
        "can save it and come back later.",
        "opens": -10,
        "closes": 25,
        "topics": ["research-clusters", "research-funding", "industrial-strategy"],
    },
    CLOSED_SLUG: {
        "title": "A smokefree generation: what should come next?",
        "summary": "Which tobacco control measures should follow the age-of-sale law?",
        "body": "Smoking remains the biggest preventable cause of cancer. We asked what should follow the law "
        "raising the age of sale.",
        "opens": -60,
        "closes": -6,
        "topics": ["tobacco-control", "cancer-prevention"],
    },
    CONCLUDED_SLUG: {
        "title": "Diagnosing cancer earlier: the workforce we need",
        "summary": "What would help the NHS diagnose more cancers at an early stage?",
        "body": "Early diagnosis depends on enough radiologists, endoscopists and pathologists.",
        "opens": -200,
        "closes": -140,
        "topics": ["nhs-cancer-services"],
        "you_said": "Most of the 6 respondents told us diagnostic services near them are short of staff, and "
        "many asked for **more training places** and for **modern imaging equipment**.",
        "we_did": "We made the workforce the first ask in our submission to the NHS long-term workforce plan, "
        "and we are publishing a costed plan for training places.",
    },
}


def load() -> None:
    with transaction.atomic():
        for slug, data in CONSULTATIONS.items():
            consultation, created = _consultation(slug, data)
            if created:
                _questions(consultation, QUESTIONNAIRES[slug])
                _relations(consultation, data)
        _accept_files()
        _responses(Consultation.objects.get(slug=CLOSED_SLUG), count=18, analysed=5)
        _responses(Consultation.objects.get(slug=CONCLUDED_SLUG), count=6, analysed=6)
        _draft(Consultation.objects.get(slug=OPEN_SLUG))
        _position_paper(Consultation.objects.get(slug=CONCLUDED_SLUG))


def _consultation(slug: str, data: dict) -> tuple[Consultation, bool]:
    concluded = "you_said" in data
    return Consultation.objects.get_or_create(
        slug=slug,
        defaults={
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "is_published": True,
            "opens_at": _day(data["opens"]),
            "closes_at": _day(data["closes"], hour=23) + timedelta(minutes=59),
            "contact_email": "policy@example.org",
            "alternative_formats": "Ask us for a large-print, Easy Read or paper copy, or to respond by phone.",
            "you_said": data.get("you_said", ""),
            "we_did": data.get("we_did", ""),
            "concluded_at": _day(data["closes"] + 40) if concluded else None,
            "opening_announced_at": _day(data["opens"]),
        },
    )


def _questions(consultation: Consultation, sections: list) -> None:
    for order, (title, intro, questions) in enumerate(sections, start=1):
        section = Section.objects.create(consultation=consultation, title=title, intro=intro, order=order)
        for number, (kind, text, required, options, other) in enumerate(questions, start=1):
            Question.objects.create(
                consultation=consultation,
                section=section,
                order=number,
                kind=kind,
                text=text,
                required=required,
                options=options,
                allow_other=other,
            )


def _relations(consultation: Consultation, data: dict) -> None:
    consultation.topics.set(Topic.objects.filter(slug__in=data["topics"]))
    if consultation.slug == OPEN_SLUG:
        consultation.analyses.set(PolicyAnalysis.objects.filter(slug=SEED_SLUG))
        consultation.reports.set(Report.objects.filter(slug="clusters-investing-for-impact"))
        consultation.webinars.set(Webinar.objects.filter(topics__slug="research-clusters").distinct()[:2])
    if consultation.slug == CONCLUDED_SLUG:
        report, _ = Report.objects.get_or_create(
            slug="early-diagnosis-workforce-consultation-report",
            defaults={
                "title": "Diagnosing cancer earlier: what you told us",
                "url": "https://www.cancerresearchuk.org/about-us/we-develop-policy",
            },
        )
        consultation.final_report = report
        consultation.save(update_fields=["final_report"])


PEOPLE = [
    ("Amira Shah", "individual", "", ""),
    ("Ben Carter", "organisation", "Northshire Public Health", "Director of Public Health"),
    ("Chloe Evans", "individual", "", ""),
    ("Dev Patel", "organisation", "Midlands Cancer Alliance", "Programme Lead"),
    ("Eilidh Ross", "individual", "", ""),
    ("Farid Haddad", "individual", "", ""),
]
FREE_TEXT = {
    CLOSED_SLUG: [
        "Funding for stop-smoking services has been cut every year; restore it first.",
        "Licensing retailers would let trading standards act quickly on underage sales.",
        "Smokefree outdoor spaces near schools and playgrounds.",
    ],
    CONCLUDED_SLUG: [
        "More training places for radiographers and endoscopists, funded for ten years.",
        "Community diagnostic centres open in the evenings and at weekends.",
        "Replace the old CT and MRI scanners; some are over ten years old.",
    ],
}
CONSENTS = ["named", "anonymous", "private"]


def _responses(consultation: Consultation, *, count: int, analysed: int) -> None:
    if consultation.responses.exists():
        return
    questions = list(consultation.questions.all())
    submitted_at = consultation.closes_at - timedelta(days=3)
    for n in range(count):
        name, kind, organisation, role = PEOPLE[n % len(PEOPLE)]
        response = Response.objects.create(
            consultation=consultation,
            status=Response.Status.SUBMITTED,
            email=f"respondent{n + 1}.{consultation.pk}@example.org",
            name=name,
            respondent_type=kind,
            organisation=organisation,
            organisation_role=role,
            tobacco_links="no",
            consent=CONSENTS[n % 3],
            submitted_at=submitted_at - timedelta(hours=n),
            analysed=n < analysed,
        )
        for question in questions:
            _answer(response, question, n)


def _answer(response: Response, question: Question, n: int) -> None:
    publishing = response.consent != Response.Consent.PRIVATE
    if question.kind == Question.Kind.FREE_TEXT:
        # A third of the closed consultation's answers are one campaign's words.
        texts = FREE_TEXT[response.consultation.slug]
        text = CAMPAIGN if n % 3 == 1 and response.consultation.slug == CLOSED_SLUG else texts[n % len(texts)]
        selected = []
        status = Answer.Publication.APPROVED if publishing and n < 4 else Answer.Publication.PENDING
    else:
        choices = [value for value, _ in question.option_choices() if value != "other"]
        selected = [choices[n % len(choices)]]
        if question.kind == Question.Kind.MULTIPLE:
            selected.append(choices[(n + 1) % len(choices)])
        text = ""
        status = Answer.Publication.APPROVED
    answer = Answer.objects.create(
        response=response,
        question=question,
        selected=selected,
        text=text,
        fingerprint=fingerprint(text),
        publication=status if publishing else Answer.Publication.NOT_REQUESTED,
    )
    if text and response.analysed:
        tag, _ = QuestionTag.objects.get_or_create(
            question=question, name="Campaign response" if text == CAMPAIGN else "Services and funding"
        )
        answer.tags.add(tag)


def _draft(consultation: Consultation) -> None:
    """A half-written response, to show save and return in the admin's counts."""
    if consultation.responses.exists():
        return
    draft = Response.objects.create(
        consultation=consultation,
        email="draft@example.org",
        name="Grace Lee",
        respondent_type=Response.RespondentType.INDIVIDUAL,
        pages_done=1,
    )
    first = consultation.questions.first()
    # The demo consultations are created with their questions.
    assert first is not None
    Answer.objects.create(response=draft, question=first, selected=[first.option_choices()[1][0]])


# Questions where an organisation may attach its position paper.
FILE_QUESTIONS = {
    OPEN_SLUG: "What is the biggest obstacle your cluster faces?",
    CONCLUDED_SLUG: "What would most help diagnose cancer earlier?",
}
PAPER_TITLE = "Diagnosing cancer earlier: a position paper"
PAPER = [
    "Northshire Public Health",
    PAPER_TITLE,
    "",
    "1. Fund training places for radiographers, endoscopists and pathologists for ten years.",
    "2. Replace CT and MRI scanners older than ten years within this Spending Review.",
    "3. Open community diagnostic centres in the evenings and at weekends.",
]


def _accept_files() -> None:
    for slug, text in FILE_QUESTIONS.items():
        Question.objects.filter(consultation__slug=slug, text=text).update(accepts_files=True)


def _position_paper(consultation: Consultation) -> None:
    """The first organisation's response carries its position paper, a one-page PDF made here."""
    response = consultation.responses.submitted().filter(respondent_type="organisation").order_by("pk").first()
    question = consultation.questions.filter(text=FILE_QUESTIONS[consultation.slug]).first()
    if response is None or question is None or response.attachments.exists():
        return
    content = position_paper_pdf(PAPER)
    attachment = Attachment(
        response=response,
        question=question,
        filename="Northshire Public Health - position paper.pdf",
        kind=Attachment.Kind.PDF,
        size=len(content),
    )
    attachment.file.save("upload", ContentFile(content), save=False)
    attachment.save()


def position_paper_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF of plain lines in Helvetica: enough for a demo file, with no dependency."""

    def escape(line: str) -> str:
        text = line.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({escape(line)}) '" for line in lines)
    stream = f"BT /F1 11 Tf 16 TL 56 800 Td {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf
