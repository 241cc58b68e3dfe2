"""Demo content: the research-clusters analysis the platform grew from, and enough
further analyses for lists, pagination and topic pages; the webinars, speakers and quotes it cites
come from ``webinars.demo``.

Every row is keyed by its slug, so loading twice changes nothing.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import reversion
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from core.data_tables import data_table_parse
from policies.demo_images import atrium_picture, bar_chart
from policies.models import AnalysisUpdate, Author, Figure, PolicyAnalysis, QuoteCitation, Report
from policies.services import analysis_hero_renditions_refresh, figure_renditions_refresh
from topics.models import Topic
from webinars import demo as webinars_demo
from webinars.models import Webinar

LONDON = ZoneInfo("Europe/London")
SEED_SLUG = "spending-review-industrial-strategy-research-clusters"

TOPICS = {
    "research-funding": ("Research funding", "How public money for science is raised, shared and spent."),
    "life-sciences": ("Life sciences", "The industry and research base behind new treatments."),
    "industrial-strategy": ("Industrial strategy", "Government plans for growth and where science fits in."),
    "research-clusters": ("Research clusters", "Places where talent, infrastructure and investment come together."),
    "cancer-prevention": ("Cancer prevention", "Policies that stop cancers before they start."),
    "nhs-cancer-services": ("NHS cancer services", "Diagnosis, treatment and the workforce that delivers them."),
    "tobacco-control": ("Tobacco control", "Smoking remains the biggest preventable cause of cancer."),
}

AUTHORS = {
    "emma-cattermole": ("Emma Cattermole", "Policy Adviser, Research and Innovation"),
    "samir-haddad": ("Samir Haddad", "Senior Policy Manager, Prevention"),
    "grace-okafor": ("Grace Okafor", "Policy Manager, Early Diagnosis"),
}

SEED_BODY = """\
Years of building research clusters have taught us that putting the best people and infrastructure in one
place speeds up discovery, creates skilled jobs and strengthens local economies. So when the UK Government
said last autumn that life sciences and research clusters would sit at the heart of its Industrial
Strategy, we set out how to get it right, in our report *Clusters: Investing for Impact* and an expert
webinar.

With the Spending Review and the Industrial Strategy now published, many of our proposals have been taken
up. Here is our analysis, with insights from the webinar.

## What we asked for

Our report called on national, devolved and local governments to:

- take a targeted, strategic and long-term approach, concentrating investment in places with the potential
  to be world-leading;
- build clusters in partnership with local research organisations;
- tailor support to each area's strengths and needs, including the infrastructure a cluster depends on;
- keep the wider UK research system healthy, including funding and access to talent;
- connect clusters with one another so that the benefits spread.

## What the plans contain

The Industrial Strategy recognises this approach. It commits to locally-led cluster growth, partnership,
support for research and development, and investment in local infrastructure.

[[figure:research-cluster-commitments]]

### Targeted investment, built on local partnership

The strategy concentrates effort on places with high potential, which matters all the more when money is
tight: spreading it thinly helps no one. It is backed by UKRI's new Local Innovation Partnerships fund,
first announced by Professor Dame Jessica Corner at our webinar, with £500m for locally-led cluster growth.

[[quote:1]]

Links between clusters get a boost too: £150m of the fund goes to the life sciences "supercluster" spanning
Liverpool, Manchester and Cheshire, and the Government intends to connect the Oxford to Cambridge corridor
with other parts of the UK.

### The wider local environment

The £2.5bn committed to East West Rail and new housing along the Oxford to Cambridge Growth Corridor shows
an understanding that clusters need places where talent wants to live and work. That thinking should be
applied across the UK, tailored to each area.

[[quote:2]]

### The health of the research system

Clusters depend on the research system around them. Real-terms flat funding in the Spending Review will
make the strategy's ambitions hard to deliver, especially for universities, which anchor discovery
research in every cluster.

### Talent

The strategy adds £1.2bn a year for skills. The £54m Global Talent fund will help bring research teams to
the UK, although only 10 research organisations will receive it, and the high cost of visas remains a
barrier the strategy does not address. At our webinar, Professor David Argyle described how transport links
and partnerships between universities, the NHS and industry can attract talent in a "positive feedback
loop".

## What happens next

We are still waiting for the Life Sciences Sector Plan and the Government's long-term plans for the NHS and
cancer services. They must work together, and with charities, to tackle the biggest barriers to cancer
research. Clusters take years to mature; long-term commitment, balanced with honest evaluation, is what
makes them self-sustaining. We are also making the case for a major multidisciplinary institute in Scotland
to grow a biomedical cluster across Scotland and the North East.
"""

# The sums the seed analysis names (Spending Review and Industrial Strategy, June 2025).
CHART_SLUG = "research-cluster-commitments"
CHART_DATA = """\
Commitment,£ million
East West Rail and housing,2500
"Skills, more each year",1200
Local Innovation Partnerships,500
Life sciences supercluster,150
Global Talent fund,54
"""
CHART = {
    "caption": "Commitments in the Spending Review and Industrial Strategy that matter for research clusters, "
    "in millions of pounds. The supercluster's £150m is part of the Local Innovation Partnerships fund.",
    "credit": "Source: HM Government, Spending Review and Industrial Strategy, June 2025",
    "alt_text": "Bar chart. East West Rail and housing along the Oxford to Cambridge corridor get by far the most, "
    "£2.5bn, then skills, £1.2bn more each year; the Local Innovation Partnerships fund has £500m, the "
    "life sciences supercluster £150m and the Global Talent fund £54m.",
    "data_table": CHART_DATA,
}

FURTHER_ANALYSES = [
    (
        "age-of-sale-tobacco",
        "Raising the age of sale: how a smokefree generation becomes law",
        "samir-haddad",
        ["tobacco-control", "cancer-prevention"],
        -540,
        "Parliament is debating a law that would stop anyone born after 2008 from ever being sold tobacco. "
        "We look at what the bill does, what evidence supports it and what must come with it.",
    ),
    (
        "stop-smoking-services-funding",
        "Stop-smoking services need funding that lasts",
        "samir-haddad",
        ["tobacco-control"],
        -480,
        "Local authorities have seen their public health grants shrink for a decade. Extra money for quitting "
        "support is welcome, but it has to be guaranteed for longer than a year.",
    ),
    (
        "diagnostic-workforce-gap",
        "The diagnostic workforce gap in five charts",
        "grace-okafor",
        ["nhs-cancer-services"],
        -420,
        "Demand for scans and tests keeps growing faster than the number of people trained to carry them out. "
        "These charts show where the gaps are largest.",
    ),
    (
        "community-diagnostic-centres",
        "Are community diagnostic centres delivering?",
        "grace-okafor",
        ["nhs-cancer-services"],
        -360,
        "Community diagnostic centres promised faster tests closer to home. Early figures are encouraging, "
        "but staffing decides how far they can go.",
    ),
    (
        "charity-research-partnership-fund",
        "Why charity-funded research needs a partnership fund",
        "emma-cattermole",
        ["research-funding"],
        -330,
        "Medical research charities fund about half of publicly funded cancer research in the UK. A fund "
        "that matches their investment would protect it when donations fall.",
    ),
    (
        "spending-review-science",
        "What the Spending Review means for science and research",
        "emma-cattermole",
        ["research-funding", "industrial-strategy"],
        -20,
        "Research and development keeps a central place in government plans, but flat cash in real terms "
        "leaves universities and institutes under pressure.",
    ),
    (
        "obesity-and-cancer-advertising",
        "Junk food advertising limits: a step towards prevention",
        "samir-haddad",
        ["cancer-prevention"],
        -300,
        "Obesity is the second biggest preventable cause of cancer in the UK. Limits on advertising unhealthy "
        "food to children are a sensible start.",
    ),
    (
        "life-sciences-sector-plan",
        "What we want from the Life Sciences Sector Plan",
        "emma-cattermole",
        ["life-sciences", "industrial-strategy"],
        -240,
        "The plan should make the UK a place where clinical trials start quickly, data can be used safely and "
        "discoveries turn into treatments.",
    ),
    (
        "clinical-trials-recovery",
        "Clinical trials: recovering lost ground",
        "grace-okafor",
        ["life-sciences", "nhs-cancer-services"],
        -200,
        "The number of people taking part in cancer trials fell sharply during the pandemic. Faster set-up "
        "and protected research time for staff would help it recover.",
    ),
    (
        "cluster-lessons-from-abroad",
        "Research clusters: lessons from Boston and Leuven",
        "emma-cattermole",
        ["research-clusters"],
        -150,
        "Successful clusters abroad grew from long-term public commitments, strong hospitals and universities, "
        "and local leaders who kept at it for decades.",
    ),
    (
        "screening-uptake-inequalities",
        "Closing the gaps in cancer screening uptake",
        "grace-okafor",
        ["nhs-cancer-services", "cancer-prevention"],
        -100,
        "People in the most deprived areas are less likely to take up screening. Targeted invitations and "
        "home testing kits can close the gap.",
    ),
    (
        "nhs-ten-year-plan-cancer",
        "The NHS ten-year plan: what it means for cancer",
        "grace-okafor",
        ["nhs-cancer-services"],
        -60,
        "The plan's shift from hospital to community and from treatment to prevention could transform cancer "
        "care, if a dedicated cancer plan comes with it.",
    ),
    (
        "tobacco-levy-consultation",
        "A polluter-pays levy on tobacco companies",
        "samir-haddad",
        ["tobacco-control"],
        14,
        "A levy on tobacco manufacturers' profits could fund stop-smoking services without new public spending. "
        "This analysis is scheduled and appears on its publication date.",
    ),
    (
        "draft-research-tax-credits",
        "Research tax credits and charities (draft)",
        "emma-cattermole",
        ["research-funding"],
        None,
        "A draft that only editors can preview.",
    ),
]


def _body_for(standfirst: str, topic_names: list[str]) -> str:
    return (
        f"{standfirst}\n\n"
        "## The background\n\n"
        f"This analysis belongs to our work on {', '.join(topic_names).lower()}. It sets out the evidence, "
        "what the Government has said so far, and where we think policy should go next.\n\n"
        "## What we recommend\n\n"
        "- Set out a long-term plan with clear milestones.\n"
        "- Fund it for more than one year at a time.\n"
        "- Measure progress openly, and involve people affected by cancer in shaping it.\n\n"
        "We will keep this page up to date as the policy develops."
    )


@transaction.atomic
def load() -> None:
    topics = {
        slug: Topic.objects.update_or_create(slug=slug, defaults={"name": name, "description": description})[0]
        for slug, (name, description) in TOPICS.items()
    }
    authors = {
        slug: Author.objects.update_or_create(slug=slug, defaults={"name": name, "role": role})[0]
        for slug, (name, role) in AUTHORS.items()
    }
    quotes = webinars_demo.load(topics)
    report, _ = Report.objects.update_or_create(
        slug="clusters-investing-for-impact",
        defaults={
            "title": "Clusters: Investing for Impact",
            "summary": "How national, devolved and local governments can grow research clusters that improve "
            "cancer prevention and care.",
            "url": "https://www.cancerresearchuk.org/about-us/we-develop-policy",
            "published_on": date(2024, 11, 26),
        },
    )
    _load_chart()
    _load_seed_analysis(authors, topics, quotes, report)
    _load_further_analyses(authors, topics)


def _load_seed_analysis(authors: dict, topics: dict, quotes: dict, report: Report) -> None:
    analysis, _ = PolicyAnalysis.objects.update_or_create(
        slug=SEED_SLUG,
        defaults={
            "title": "Have the Spending Review and Industrial Strategy delivered for research clusters?",
            "section": "Policy & Insight",
            "kind": "Analysis",
            "standfirst": "The Government has taken on board our proposals for research clusters. "
            "We look at what the new plans contain, and what still needs to happen.",
            "body": SEED_BODY,
            "author": authors["emma-cattermole"],
            "status": PolicyAnalysis.Status.PUBLISHED,
            "publish_at": datetime(2025, 7, 1, 9, 0, tzinfo=LONDON),
            "featured_webinar": Webinar.objects.get(slug=webinars_demo.CLUSTERS_WEBINAR),
            "hero_alt": "An image of the Francis Crick Institute taken by a drone. The entrance leads into a "
            "large glass central atrium, with smaller glass-panelled open-plan labs on either side.",
            "hero_caption": "The Francis Crick Institute has helped make King's Cross in London a world-leading "
            "life sciences and research cluster.",
        },
    )
    _ensure_hero(analysis, seed=1)
    analysis.topics.set(
        [topics[t] for t in ("research-clusters", "industrial-strategy", "life-sciences", "research-funding")]
    )
    analysis.reports.set([report])
    for position, key in enumerate(("corner-transformational", "rothwell-down-the-corridor"), start=1):
        QuoteCitation.objects.update_or_create(analysis=analysis, position=position, defaults={"quote": quotes[key]})
    _keep_first_version(analysis)
    AnalysisUpdate.objects.get_or_create(
        analysis=analysis,
        made_at=datetime(2025, 7, 8, 10, 0, tzinfo=LONDON),
        defaults={"note": "Added what Professor David Argyle said about attracting talent."},
    )


def _keep_first_version(analysis: PolicyAnalysis) -> None:
    """The history starts with the demo's version; a reload adds none."""
    if Version.objects.get_for_object(analysis).exists():
        return
    with reversion.create_revision():
        reversion.add_to_revision(analysis)
        reversion.set_comment("Demo content loaded.")


def _load_further_analyses(authors: dict, topics: dict) -> None:
    now = timezone.now()
    for slug, title, author, topic_slugs, days, standfirst in FURTHER_ANALYSES:
        if days is None:
            status, publish_at = PolicyAnalysis.Status.DRAFT, now
        elif days > 0:
            status, publish_at = PolicyAnalysis.Status.SCHEDULED, now + timedelta(days=days)
        else:
            status, publish_at = (
                PolicyAnalysis.Status.PUBLISHED,
                datetime(2025, 7, 1, 9, tzinfo=LONDON) + timedelta(days=days),
            )
        existing = PolicyAnalysis.objects.filter(slug=slug).first()
        if existing and status != PolicyAnalysis.Status.PUBLISHED:
            publish_at = existing.publish_at  # a reload keeps a draft's or schedule's time
        analysis, _ = PolicyAnalysis.objects.update_or_create(
            slug=slug,
            defaults={
                "title": title,
                "standfirst": standfirst,
                "body": _body_for(standfirst, [TOPICS[t][0] for t in topic_slugs]),
                "author": authors[author],
                "status": status,
                "publish_at": publish_at,
            },
        )
        analysis.topics.set([topics[t] for t in topic_slugs])


def _ensure_hero(analysis: PolicyAnalysis, seed: int) -> None:
    name = analysis.hero_image.name  # a FieldFile is true when it has a name
    if not (name and analysis.hero_image.storage.exists(name)):
        analysis.hero_image.save(f"{analysis.slug}.jpg", atrium_picture(seed), save=True)
        analysis.hero_renditions = []
    if not _renditions_exist(analysis.hero_image.storage, analysis.hero_renditions):
        analysis_hero_renditions_refresh(analysis=analysis)


def _load_chart() -> None:
    """The seed analysis's chart, drawn from its own data table so picture and table always agree."""
    figure, _ = Figure.objects.update_or_create(slug=CHART_SLUG, defaults=CHART)
    name = figure.image.name
    if not (name and figure.image.storage.exists(name)):
        table = data_table_parse(CHART_DATA)
        rows = [(label, float(value)) for label, value in table.rows] if table else []
        chart = bar_chart(rows, title="Commitments for research clusters, in millions of pounds")
        figure.image.save(f"{CHART_SLUG}.png", chart, save=True)
        figure.renditions = []
    if not _renditions_exist(figure.image.storage, figure.renditions):
        figure_renditions_refresh(figure=figure)


def _renditions_exist(storage, renditions: list[dict]) -> bool:
    return bool(renditions) and all(storage.exists(r["webp"]) and storage.exists(r["fallback"]) for r in renditions)
