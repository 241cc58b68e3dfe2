"""One function per consultation email, each written to the notifications outbox.

Every email has an idempotency key, so a retried service or beat job adds no second row.
A stranger can start responses with anyone's address, save and submit them, so the emails to a
respondent's address are limited per address (``recipient_limit``), each kind on its own: a few saves
in an hour cost nobody their receipt.
"""

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from consultations.models import Consultation, LateResponseLink, Response
from core.site import absolute_url
from notifications.services import delivery_enqueue


def _when(moment) -> str:
    return date_format(localtime(moment), "l j F Y, H:i")


def _answers_copy(response: Response) -> list[dict[str, str]]:
    answers = {answer.question_id: answer.display() for answer in response.answers.all()}
    files: dict[int, list[str]] = {}
    for question_id, filename in response.attachments.values_list("question_id", "filename"):
        files.setdefault(question_id, []).append(filename)
    return [
        {"question": question.text, "answer": _with_files(answers.get(question.pk, ""), files.get(question.pk, []))}
        for question in response.consultation.questions.all()
    ]


def _with_files(answer: str, files: list[str]) -> str:
    if not files:
        return answer
    attached = _("Attached: %(names)s") % {"names": ", ".join(files)}
    return f"{answer}\n{attached}" if answer else attached


def send_return_link(*, response: Response, sequence: int) -> None:
    delivery_enqueue(
        recipient=response.email,
        template="consultation-return-link",
        context={
            "consultation_title": response.consultation.title,
            "closes_at": _when(response.consultation.closes_at),
            "link": absolute_url(response.get_absolute_url()),
        },
        kind="consultation_return_link",
        idempotency_key=f"consultation-return-link:{response.pk}:{sequence}",
        about=response,
        recipient_limit=("consultation_return_link",),
    )


def send_receipt(*, response: Response) -> None:
    delivery_enqueue(
        recipient=response.email,
        template="consultation-receipt",
        context={
            "consultation_title": response.consultation.title,
            "reference": response.reference,
            "respondent_type": str(response.get_respondent_type_display()),
            "organisation": response.organisation,
            "link": absolute_url(response.get_absolute_url()),
            "closes_at": _when(response.consultation.closes_at),
            "answers": _answers_copy(response),
        },
        kind="consultation_receipt",
        idempotency_key=f"consultation-receipt:{response.pk}",
        about=response,
        recipient_limit=("consultation_receipt",),
    )


def send_draft_reminder(*, response: Response) -> None:
    delivery_enqueue(
        recipient=response.email,
        template="consultation-reminder",
        context={
            "consultation_title": response.consultation.title,
            "closes_at": _when(response.consultation.closes_at),
            "link": absolute_url(response.get_absolute_url()),
        },
        kind="consultation_reminder",
        idempotency_key=f"consultation-reminder:{response.pk}",
        about=response,
        recipient_limit=("consultation_reminder",),
    )


def send_outcome(*, response: Response) -> None:
    consultation = response.consultation
    delivery_enqueue(
        recipient=response.email,
        template="consultation-outcome",
        context=outcome_context(consultation),
        kind="consultation_outcome",
        idempotency_key=f"consultation-outcome:{response.pk}",
        about=response,
        recipient_limit=("consultation_outcome",),
    )


def send_late_link(*, link: LateResponseLink) -> None:
    delivery_enqueue(
        recipient=link.email,
        template="consultation-late-link",
        context={
            "consultation_title": link.consultation.title,
            "expires_at": _when(link.expires_at),
            "link": absolute_url(link.get_absolute_url()),
        },
        # Issued by staff to an address they chose: no stranger can cause it.
        kind="consultation_late_link",
        idempotency_key=f"consultation-late-link:{link.pk}",
        about=link,
    )


def outcome_context(consultation: Consultation) -> dict[str, str]:
    return {
        "consultation_title": consultation.title,
        "you_said": consultation.you_said,
        "we_did": consultation.we_did,
        "link": absolute_url(consultation.get_absolute_url()),
        "report_title": consultation.final_report.title if consultation.final_report else "",
        "report_link": consultation.final_report.link if consultation.final_report else "",
    }


def opening_context(consultation: Consultation) -> dict[str, str]:
    return {
        "consultation_title": consultation.title,
        "summary": consultation.summary,
        "closes_at": _when(consultation.closes_at),
        "link": absolute_url(consultation.get_absolute_url()),
    }


def send_claim_link(*, response: Response, link: str, nonce: str) -> None:
    """The proof asked for by a browser that opened the draft's link without holding the draft.

    The link opens the draft only in the browser that asked, so forwarding it gains nothing.
    """
    delivery_enqueue(
        recipient=response.email,
        template="consultation-claim-link",
        context={"consultation_title": response.consultation.title, "link": absolute_url(link)},
        kind="consultation_claim_link",
        idempotency_key=f"consultation-claim-link:{response.pk}:{nonce}",
        about=response,
        # Whoever holds the draft's link can ask for this: limited per address like every stranger-caused email.
        recipient_limit=("consultation_claim_link",),
    )
