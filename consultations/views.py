"""Public consultation pages and the paged questionnaire.

The respondent's draft is found through the session, by the draft's holder key, so the secret
token stays out of page URLs. Only one browser holds a draft: the one that started it, or the
last one to prove the draft's address. Opening the emailed link anywhere else shows whose draft
it is (masked) and offers to start one's own or to prove the address; a forwarded link alone
never lets someone type answers whose receipt goes to the address that saved them.
"""

import secrets

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations import routing, selectors, services
from consultations.attachments import MB, CappedUploadHandler, file_response
from consultations.forms import AboutYouForm, DeclarationForm, SectionForm
from consultations.models import Consultation, LateResponseLink, Response
from consultations.summary import response_summary, summary_is_public
from core.page_cache import cached_for_anonymous, page_depends_on, page_expires_in
from core.throttle import hourly_limit_reached
from notifications.views import masked

SESSION_KEY = "consultation_responses"
CLAIMS_SESSION_KEY = "consultation_claims"
CLAIM_SALT = "consultations.claim"
CLAIM_LINK_SECONDS = 3600
STARTS_PER_HOUR = 20
LINKS_PER_HOUR = 5


def _remember(request: HttpRequest, response: Response) -> None:
    drafts = request.session.get(SESSION_KEY, {})
    drafts[str(response.consultation_id)] = response.holder_key
    request.session[SESSION_KEY] = drafts


def _session_response(request: HttpRequest, consultation: Consultation) -> Response | None:
    key = request.session.get(SESSION_KEY, {}).get(str(consultation.pk))
    if not key:
        return None
    return Response.objects.select_related("late_link").filter(holder_key=key, consultation=consultation).first()


def _holds(request: HttpRequest, response: Response) -> bool:
    held = _session_response(request, response.consultation)
    return held is not None and held.pk == response.pk


def _closed(request: HttpRequest, consultation: Consultation, message: str) -> HttpResponse:
    context = {"consultation": consultation, "message": message}
    return render(request, "consultations/consultation_closed.html", context, status=403)


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = Consultation.objects.published().for_listing()
    context = {
        "open": consultations.open(),
        "upcoming": consultations.upcoming(),
        "closed": consultations.closed().order_by("-closes_at"),
        "concluded": consultations.concluded().order_by("-concluded_at"),
    }
    return render(request, "consultations/consultation_list.html", context)


@require_GET
@cached_for_anonymous
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The questionnaire and published answers, the linked analyses, webinars and topics.
    page_depends_on(request, "consultations", "consultation-responses", "policies", "webinars", "topics")
    consultation = selectors.consultation_for_page(slug=slug, user=request.user)
    page_expires_in(request, selectors.seconds_until_page_changes(consultation))
    sections = selectors.consultation_sections(consultation)
    routing.describe(sections)
    context = {
        "consultation": consultation,
        "sections": sections,
        "draft": _session_response(request, consultation),
        "published": selectors.published_responses(consultation=consultation, page_number=request.GET.get("page")),
        "summary": response_summary(consultation) if summary_is_public(consultation) else None,
    }
    return render(request, "consultations/consultation_detail.html", context)


@require_POST
def respond_start(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = get_object_or_404(Consultation.objects.published(), slug=slug)
    draft = _session_response(request, consultation)
    if draft and draft.status == Response.Status.DRAFT:
        return redirect("consultations:respond_page", slug=slug, page=1)
    if hourly_limit_reached(request, "consultation-start", STARTS_PER_HOUR):
        return _closed(request, consultation, _("Too many responses were started from here. Try again in an hour."))
    try:
        response = services.response_start(consultation=consultation, user=request.user)
    except services.ResponseClosed as refusal:
        return _closed(request, consultation, str(refusal))
    _remember(request, response)
    return redirect("consultations:respond_page", slug=slug, page=1)


def _page_form(
    request: HttpRequest,
    response: Response,
    page: int,
    sections: list,
    plan: routing.Plan,
    partial: bool,
    oversized: set[str],
):
    """The form for page ``page``: 1 is "about you", then one page per section, then the declaration."""
    data = request.POST if request.method == "POST" else None
    if page == 1:
        return AboutYouForm(data, instance=response, partial=partial), None
    if page == len(sections) + 2:
        return DeclarationForm(data, instance=response, partial=partial), None
    section = sections[page - 2]
    section.consultation = response.consultation
    questions = list(section.questions.all())
    answers = {answer.question_id: answer for answer in response.answers.filter(question__section=section)}
    uploads = selectors.response_uploads(response, questions) if any(q.accepts_files for q in questions) else {}
    files = request.FILES if request.method == "POST" else None
    form = SectionForm(
        data,
        files,
        section=section,
        answers=answers,
        uploads=uploads,
        oversized=oversized,
        partial=partial,
        facts=plan.facts_before.get(section.pk, {}),
    )
    return form, section


def _attach(request: HttpRequest, form: SectionForm, response: Response, uploading: bool) -> None:
    """Store each file chosen on the page, even when other answers have errors: nobody chooses a file twice."""
    chosen = form.new_uploads()
    for question, field, upload in chosen:
        try:
            attachment = services.attachment_add(response=response, question=question, upload=upload)
        except ValidationError as refusal:
            form.add_error(field, refusal.messages[0])
        else:
            form.uploads.setdefault(question.pk, []).append(attachment)
            messages.success(request, _("“%(name)s” is attached.") % {"name": attachment.filename})
    if uploading and not chosen and not form.errors:
        first = next(f"q{q.pk}_file" for q in form.questions if q.accepts_files)
        form.add_error(first, _("Choose a file to attach."))


def _save(form, response: Response, page: int) -> None:
    if isinstance(form, SectionForm):
        services.response_save_answers(response=response, answers=form.answers(), page=page)
    else:
        services.response_save_details(response=response, details=form.details(), page=page)


def _held_draft(request: HttpRequest, slug: str) -> Response | HttpResponse:
    """The draft this browser holds for the consultation, or where to send a browser that holds none."""
    consultation = get_object_or_404(Consultation.objects.published(), slug=slug)
    response = _session_response(request, consultation)
    if response is None:
        return redirect(consultation)
    if response.status != Response.Status.DRAFT:
        return redirect(response)
    response.consultation = consultation
    return response


def _next_page(pages: list[int], page: int) -> int | None:
    return next((number for number in pages if number > page), None)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def respond_page(request: HttpRequest, slug: str, page: int) -> HttpResponse:
    """A page of the questionnaire. Files are read no further than the consultation's limit allows,
    which must be set before the body is read, so the CSRF check runs in ``_respond_page``."""
    oversized: set[str] = set()
    if request.method == "POST":
        limit = Consultation.objects.filter(slug=slug).values_list("attachment_max_file_mb", flat=True).first()
        if limit:
            handler = CappedUploadHandler(request, limit=limit * MB)
            request.upload_handlers.insert(0, handler)
            oversized = handler.oversized
    return _respond_page(request, slug, page, oversized)


@csrf_protect
def _respond_page(request: HttpRequest, slug: str, page: int, oversized: set[str]) -> HttpResponse:
    response = _held_draft(request, slug)
    if isinstance(response, HttpResponse):
        return response
    consultation = response.consultation
    if not services.response_accepts_changes(response):
        return _closed(request, consultation, _("This consultation has closed and no longer accepts responses."))
    sections = selectors.consultation_sections(consultation)
    last = len(sections) + 2
    if not 1 <= page <= last:
        return redirect("consultations:respond_page", slug=slug, page=1)
    plan = routing.response_plan(response, sections)
    pages = plan.page_numbers(sections)
    if page not in pages:
        # A page routing does not ask of this response: on to the next one that applies.
        return redirect("consultations:respond_page", slug=slug, page=_next_page(pages, page))
    action = request.POST.get("action", "")
    removing = request.POST.get("remove_file", "")
    # Attaching or removing a file saves the page as it stands and comes back to it.
    stays = action == "upload" or bool(removing)
    save_later = action == "save-later"
    if removing:
        removed = services.attachment_remove(response=response, key=removing)
        if removed is not None:
            messages.success(request, _("“%(name)s” is removed.") % {"name": removed.filename})
    form, section = _page_form(
        request, response, page, sections, plan, partial=save_later or stays, oversized=oversized
    )
    if request.method == "POST":
        valid = form.is_valid()
        if isinstance(form, SectionForm) and form.accepts_files:
            _attach(request, form, response, uploading=action == "upload")
            valid = not form.errors
        if valid:
            _save(form, response, page)
            if save_later:
                return _send_link(request, response)
            if stays:
                return redirect("consultations:respond_page", slug=slug, page=page)
            if page == last:
                return redirect("consultations:respond_check", slug=slug)
            # The answers just saved may open or close later pages.
            pages = routing.response_plan(response, sections).page_numbers(sections)
            return redirect("consultations:respond_page", slug=slug, page=_next_page(pages, page))
    position = pages.index(page) + 1
    context = {
        "consultation": consultation,
        "response": response,
        "form": form,
        "section": section,
        "page": position,
        "pages": len(pages) + 1,
        "back_page": pages[position - 2] if position > 1 else None,
        "kind": "about" if page == 1 else "declaration" if page == last else "section",
    }
    return render(request, "consultations/consultation_respond.html", context)


def _send_link(request: HttpRequest, response: Response) -> HttpResponse:
    if hourly_limit_reached(request, f"consultation-link:{response.pk}", LINKS_PER_HOUR):
        messages.error(request, _("We have already sent several links. Check your inbox, or try again later."))
        return redirect("consultations:respond_page", slug=response.consultation.slug, page=1)
    try:
        services.response_send_link(response=response)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("consultations:respond_page", slug=response.consultation.slug, page=1)
    return render(request, "consultations/consultation_saved.html", {"response": response})


@require_http_methods(["GET", "POST"])
def respond_check(request: HttpRequest, slug: str) -> HttpResponse:
    response = _held_draft(request, slug)
    if isinstance(response, HttpResponse):
        return response
    consultation = response.consultation
    missing = services.response_missing(response)
    if request.method == "POST":
        if request.POST.get("action") == "save-later":
            return _send_link(request, response)
        try:
            services.response_submit(response=response)
        except services.ResponseClosed as refusal:
            return _closed(request, consultation, str(refusal))
        except ValidationError:
            pass
        else:
            return redirect(response)
    sections = selectors.consultation_sections(consultation)
    context = {
        "consultation": consultation,
        "response": response,
        "answers": selectors.response_answers(response),
        "missing": missing,
        "pages": len(routing.response_plan(response, sections).page_numbers(sections)) + 1,
        "declaration_page": len(sections) + 2,
    }
    return render(
        request,
        "consultations/consultation_check.html",
        context,
        status=400 if missing and request.method == "POST" else 200,
    )


@require_GET
def respond_attachment(request: HttpRequest, slug: str, key: str) -> FileResponse:
    """A file of the response this browser holds, downloaded from the questionnaire or check-your-answers."""
    consultation = get_object_or_404(Consultation.objects.published(), slug=slug)
    response = _session_response(request, consultation)
    if response is None:
        raise Http404
    return file_response(get_object_or_404(response.attachments, key=key))


@require_GET
def response_attachment(request: HttpRequest, token: str, key: str) -> FileResponse:
    """A file of a sent response, through the private link of its receipt."""
    response = get_object_or_404(Response, token=token, status=Response.Status.SUBMITTED)
    return file_response(get_object_or_404(response.attachments, key=key))


@require_GET
def response_link(request: HttpRequest, token: str) -> HttpResponse:
    """The private link in every email: resume a draft, or read the receipt and withdraw."""
    response = get_object_or_404(Response.objects.select_related("consultation", "late_link"), token=token)
    if response.status == Response.Status.DRAFT:
        if not services.response_accepts_changes(response):
            return _closed(
                request, response.consultation, _("This consultation has closed and no longer accepts responses.")
            )
        if not _holds(request, response):
            if response.user_id is None or response.user_id != request.user.pk:
                if not selectors.response_address_verified_for(response=response, user=request.user):
                    return _not_yours(request, response)
                # Proven by the account: the draft moves here, as after an emailed proof.
                response = services.response_claim(response=response, user=request.user)
            _remember(request, response)
        return _resume(response)
    context = {
        "response": response,
        "consultation": response.consultation,
        "answers": selectors.response_answers(response),
    }
    return render(request, "consultations/consultation_receipt.html", context)


def _resume(response: Response) -> HttpResponse:
    last = response.consultation.sections.count() + 2
    if response.pages_done >= last:
        return redirect("consultations:respond_check", slug=response.consultation.slug)
    return redirect("consultations:respond_page", slug=response.consultation.slug, page=response.pages_done + 1)


def _not_yours(request: HttpRequest, response: Response, error: str = "", status: int = 403) -> HttpResponse:
    """Whose draft this is, masked, and the two ways on: one's own response, or proving the address."""
    context = {
        "consultation": response.consultation,
        "token": response.token,
        "masked_email": masked(response.email) if response.email else "",
        "error": error,
    }
    return render(request, "consultations/consultation_not_yours.html", context, status=status)


@require_POST
def response_claim(request: HttpRequest, token: str) -> HttpResponse:
    """Email the draft's address a link that opens the draft in this browser only."""
    response = get_object_or_404(Response.objects.select_related("consultation"), token=token)
    if response.status != Response.Status.DRAFT or not response.email:
        return redirect(response)
    if hourly_limit_reached(request, f"consultation-claim:{response.pk}", LINKS_PER_HOUR):
        return _not_yours(
            request, response, _("Several links went to this address in the last hour. Try again later."), 429
        )
    nonce = secrets.token_urlsafe(16)
    claims = request.session.get(CLAIMS_SESSION_KEY, {})
    claims[str(response.pk)] = nonce
    request.session[CLAIMS_SESSION_KEY] = claims
    proof = signing.dumps({"response": response.pk, "nonce": nonce}, salt=CLAIM_SALT)
    link = reverse("consultations:response_claim_confirm", kwargs={"token": token, "proof": proof})
    services.response_send_claim_link(response=response, link=link, nonce=nonce)
    context = {"consultation": response.consultation, "masked_email": masked(response.email)}
    return render(request, "consultations/consultation_claim_sent.html", context)


@require_GET
def response_claim_confirm(request: HttpRequest, token: str, proof: str) -> HttpResponse:
    """The emailed proof, opened in the browser that asked for it: the draft moves to this browser."""
    response = get_object_or_404(Response.objects.select_related("consultation", "late_link"), token=token)
    if response.status != Response.Status.DRAFT:
        return redirect(response)
    try:
        data = signing.loads(proof, salt=CLAIM_SALT, max_age=CLAIM_LINK_SECONDS)
    except signing.BadSignature:
        return _not_yours(request, response, _("This link has expired or is incomplete. Ask for a new one."), 400)
    asked = request.session.get(CLAIMS_SESSION_KEY, {}).get(str(response.pk), "")
    if data.get("response") != response.pk or not constant_time_compare(asked, str(data.get("nonce", ""))):
        return _not_yours(request, response, _("This link works only in the browser that asked for it."))
    if not services.response_accepts_changes(response):
        return _closed(
            request, response.consultation, _("This consultation has closed and no longer accepts responses.")
        )
    response = services.response_claim(response=response, user=request.user)
    claims = request.session.get(CLAIMS_SESSION_KEY, {})
    claims.pop(str(response.pk), None)
    request.session[CLAIMS_SESSION_KEY] = claims
    _remember(request, response)
    return _resume(response)


@require_POST
def response_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    response = get_object_or_404(Response.objects.select_related("consultation"), token=token)
    try:
        services.response_withdraw(response=response)
    except services.ResponseClosed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your response has been withdrawn and your answers deleted."))
    return redirect(response)


@require_http_methods(["GET", "POST"])
def late_response(request: HttpRequest, token: str) -> HttpResponse:
    link = get_object_or_404(LateResponseLink.objects.select_related("consultation"), token=token)
    consultation = link.consultation
    if not link.is_valid:
        return _closed(request, consultation, _("This late-response link has expired. Ask the team for a new one."))
    if request.method == "POST":
        response = services.response_start(consultation=consultation, user=request.user, late_link=link)
        _remember(request, response)
        return redirect("consultations:respond_page", slug=consultation.slug, page=1)
    return render(request, "consultations/consultation_late.html", {"consultation": consultation, "link": link})
