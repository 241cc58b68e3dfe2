"""Exporting every response of a large consultation, as CSV and as XLSX, through the admin views.

python -m bench.export_responses [responses] [questions]

Defaults: 50,000 responses of 20 answers (one million answers). Prints one JSON line per
format with the seconds taken and the process's resident memory: before, peak while
exporting, and the peak's growth over before (what the export itself held). Targets:
under 60 s and under 200 MB.
"""

import random
import sys
import threading
import time
from contextlib import contextmanager

from bench.harness import emit, setup_django, throwaway_database

WORDS = tuple(
    [
        "research",
        "clusters",
        "need",
        "stable",
        "long",
        "term",
        "funding",
        "so",
        "that",
        "universities",
        "hospitals",
        "and",
        "companies",
        "can",
        "plan",
        "together",
        "train",
        "staff",
        "share",
        "equipment",
        "and",
        "bring",
        "new",
        "cancer",
        "tests",
        "and",
        "treatments",
        "to",
        "patients",
        "sooner",
    ]
)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def peak_rss():
    """Sample resident memory every 20 ms while the block runs."""
    result = {"before_mb": rss_mb(), "peak_mb": rss_mb()}
    running = True

    def sample() -> None:
        while running:
            result["peak_mb"] = max(result["peak_mb"], rss_mb())
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        running = False
        thread.join()
        result["peak_mb"] = max(result["peak_mb"], rss_mb())


def populate(responses: int, questions: int):
    from django.db import transaction
    from django.utils import timezone

    from consultations.duplicates import fingerprint
    from consultations.models import Answer, Question, Response
    from tests.factories import ConsultationFactory, SectionFactory

    rng = random.Random(8)
    consultation = ConsultationFactory(slug="bench")
    section = SectionFactory(consultation=consultation)
    kinds = ["text", "single", "multiple", "scale", "yesno"]
    made = [
        Question.objects.create(
            consultation=consultation,
            section=section,
            order=n,
            kind=kinds[n % len(kinds)],
            text=f"Question {n}?",
            options="North\nSouth\nEast\nWest",
            allow_other=True,
        )
        for n in range(questions)
    ]
    now = timezone.now()
    batch = 2000
    for start in range(0, responses, batch):
        with transaction.atomic():
            rows = Response.objects.bulk_create(
                Response(
                    consultation=consultation,
                    status="submitted",
                    token=f"token-{n}",
                    reference=f"CR-{n:08d}",
                    public_reference=f"R-{n:08d}",
                    email=f"person{n}@example.org",
                    name=f"Person {n}",
                    respondent_type="organisation" if n % 4 == 0 else "individual",
                    organisation="Cancer Alliance" if n % 4 == 0 else "",
                    tobacco_links="no",
                    consent="private",
                    submitted_at=now,
                )
                for n in range(start, min(start + batch, responses))
            )
            answers = []
            for row in rows:
                for question in made:
                    if question.kind == "text":
                        text = " ".join(rng.choices(WORDS, k=20))
                        if rng.random() < 0.01:
                            text = '=HYPERLINK("http://evil.example","x")'
                        answers.append(
                            Answer(response=row, question=question, text=text, fingerprint=fingerprint(text))
                        )
                    else:
                        first_option = question.option_choices()[0][0]
                        answers.append(Answer(response=row, question=question, selected=[first_option]))
            Answer.objects.bulk_create(answers, batch_size=5000)
    return consultation


def export(client, url: str) -> tuple[float, int, dict]:
    with peak_rss() as memory:
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        size = sum(len(chunk) for chunk in response.streaming_content)
        elapsed = time.perf_counter() - started
    return elapsed, size, memory


def main(responses: int, questions: int) -> None:
    setup_django()
    from django.db import connection
    from django.test import Client

    from tests.factories import UserFactory

    with throwaway_database():
        started = time.perf_counter()
        consultation = populate(responses, questions)
        populate_s = time.perf_counter() - started
        client = Client()
        client.force_login(UserFactory(username="bench", is_staff=True, is_superuser=True))
        base = f"/admin/consultations/consultation/{consultation.pk}"
        for kind in ("csv", "xlsx"):
            elapsed, size, memory = export(client, f"{base}/export.{kind}")
            emit(
                {
                    "bench": f"export_responses_{kind}",
                    "database": connection.vendor,
                    "responses": responses,
                    "answers": responses * questions,
                    "populate_s": round(populate_s, 1),
                    "seconds": round(elapsed, 1),
                    "bytes": size,
                    "rss_before_mb": round(memory["before_mb"], 1),
                    "rss_peak_mb": round(memory["peak_mb"], 1),
                    "rss_growth_mb": round(memory["peak_mb"] - memory["before_mb"], 1),
                    "target": "under 60 s and 200 MB",
                }
            )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 50_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 20,
    )
