"""The site search as an endpoint: the page's form, its results by relevance, numbered pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api.errors import ErrorSerializer
from core.api.schema import NO_NUL, NOT_BLANK, AutoSchema
from core.api.views import ConditionalGetMixin
from search.forms import QUERY_MAX_LENGTH, SearchForm
from search.selectors import KINDS, MAX_PAGE, PageOutOfRange, Result, site_search
from topics.api import TopicSummarySerializer

PAGE_SIZE = 10
MAX_PAGE_SIZE = 50


class ApiSearchForm(SearchForm):
    """The page's form, with words required (the page shows a prompt instead) and a page size.

    Whatever the schema allows is answered with results, as the API's contract checks require: words
    that are all common ("the") or a date range that ends before it starts find nothing, with a 200.
    """

    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].required = True
        self.fields["q"].error_messages["required"] = _("Give the words to search for.")

    def clean(self) -> dict[str, Any]:
        # As every filter of the API: one given with no value is refused rather than ignored.
        for name in self.fields:
            if name in self.data and not str(self.data[name]).strip() and name not in self.errors:
                self.add_error(name, _("Give a value, or leave the parameter out."))
        return super().clean()

    def check_dates(self, cleaned: dict[str, Any]) -> None:
        """Any dates of the right shape are taken: a range ending before it starts matches nothing."""


class ResultSerializer(serializers.Serializer[Any]):  # Any: it also serializes lists of results
    kind = serializers.ChoiceField(choices=list(KINDS), help_text="What was found.")
    kind_label = serializers.CharField(source="label", help_text="The kind, in words.")
    title = serializers.CharField(source="title_text")
    title_html = serializers.CharField(source="title", help_text="The title, escaped, with matching words in `<mark>`.")
    url = serializers.SerializerMethodField(help_text="The page on the site (an outcome: its part of the page).")
    date = serializers.DateTimeField(help_text="Published, starts, opens or concluded, by kind.")
    excerpt_html = serializers.CharField(
        source="passage", help_text="The matching passage, escaped, with matching words in `<mark>`."
    )
    topics = TopicSummarySerializer(many=True)
    rank = serializers.FloatField(help_text="Relevance: higher is better; results come in this order.")

    def get_url(self, result: Result) -> str:
        return self.context["request"].build_absolute_uri(result.url)


class ResultPageSerializer(serializers.Serializer[dict[str, Any]]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ResultSerializer(many=True)


def _text(**schema: Any) -> dict[str, Any]:
    """A query parameter's schema: never empty (an empty filter is refused) and never a NUL."""
    return {"type": "string", "minLength": 1, "pattern": NO_NUL, **schema}


PARAMETERS = [
    OpenApiParameter(
        "q",
        _text(maxLength=QUERY_MAX_LENGTH, pattern=NOT_BLANK),
        required=True,
        description='Words to look for; "a phrase" in quotes, -word to leave out.',
    ),
    OpenApiParameter("kind", _text(enum=list(KINDS)), description="Only this kind of result."),
    OpenApiParameter("topic", _text(), description="A topic's slug."),
    OpenApiParameter("from", _text(format="date"), description="On or after this date (YYYY-MM-DD)."),
    OpenApiParameter("to", _text(format="date"), description="On or before this date (YYYY-MM-DD)."),
    OpenApiParameter("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, description="A page number."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"Results per page ({PAGE_SIZE} unless given).",
    ),
]


class PageSchema(AutoSchema):
    """The list action answers one page object, not an array: drf-spectacular assumes an array."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class SearchViewSet(ConditionalGetMixin, viewsets.ViewSet):
    """Search the public analyses, webinars, consultations and consultation outcomes."""

    permission_classes = [AllowAny]
    schema = PageSchema()

    @extend_schema(
        summary="Search the site",
        operation_id="search",
        tags=["search"],
        parameters=PARAMETERS,
        responses={
            200: ResultPageSerializer,
            404: OpenApiResponse(ErrorSerializer, description="A page past the last one."),
        },
    )
    def list(self, request: Request) -> Response:
        form = ApiSearchForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        size = form.cleaned_data.get("page_size") or PAGE_SIZE
        try:
            page = site_search(form.criteria(), page_number=form.page_number, per_page=size)
        except PageOutOfRange as out_of_range:
            # As every list of the API answers a page past the end.
            raise exceptions.NotFound(
                _("There is no such page: the last is page %(last)d.") % {"last": out_of_range.last}
            ) from None
        here = request.build_absolute_uri()
        body = {
            "count": page.paginator.count,
            "next": replace_query_param(here, "page", page.next_page_number()) if page.has_next() else None,
            "previous": _previous(here, page.number),
            "results": ResultSerializer(list(page.object_list), many=True, context={"request": request}).data,
        }
        return Response(body)


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def _previous(here: str, number: int) -> str | None:
    if number <= 1:
        return None
    if number == 2:
        return remove_query_param(here, "page")
    return replace_query_param(here, "page", number - 1)
