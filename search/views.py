from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search.forms import SearchForm
from search.selectors import PageOutOfRange, is_searchable, site_search


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """Results for the words typed, with filters; a form with errors says which, and is shown again."""
    form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "search_text": request.GET.get("q", "")}
    status = 200
    if form.is_bound and form.is_valid() and is_searchable(form.cleaned_data["q"]):
        try:
            context["page"] = site_search(form.criteria(), page_number=form.page_number)
            context["searched"] = True
        except PageOutOfRange as out_of_range:
            context["last_page"] = out_of_range.last
            status = 404
    elif form.is_bound and form.errors:
        status = 400
    return render(request, "search/results.html", context, status=status)
