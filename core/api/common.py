"""Classes the REST_FRAMEWORK setting names: parsing, pagination, throttles; and shared fields.

Nothing here may import DRF's views: those read this module's classes from the setting.
"""

from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from core.client_address import client_address
from core.throttle import Hit, window_hit
from core.validators import EMAIL_MAX_LENGTH, validate_deliverable_email

if TYPE_CHECKING:
    from django.core.paginator import Paginator
    from rest_framework.views import APIView

_IN = TypeVar("_IN")
_M = TypeVar("_M", bound=Model)

# Request bodies are comments and decisions; anything bigger is a mistake or an attack,
# refused before it is read.
API_MAX_BODY_BYTES = getattr(settings, "API_MAX_BODY_BYTES", 64 * 1024)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request body is too large."
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    """JSON bodies up to a fixed size (DRF itself reads any length into memory)."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > API_MAX_BODY_BYTES:
            raise RequestTooLarge()
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from None


class StrictSerializer(serializers.Serializer[_IN]):
    """An input serializer that names fields it does not know instead of silently dropping them."""

    # JSON Schema keywords (anyOf) for the rules across fields that the forms behind the serializer
    # apply, so the schema allows no body the server refuses; core.api.schema adds them.
    schema_rules: dict[str, Any] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("This field is not recognised.")] for name in unknown})
            # Form data (multipart uploads) is text by nature: the JSON types are for JSON bodies.
            typed = not isinstance(data, QueryDict)
            mistyped = [
                name
                for name, field in self.fields.items()
                if typed and name in data and not _json_type_fits(field, data[name])
            ]
            if mistyped:
                raise serializers.ValidationError(
                    {name: [_("Give a value of the type the API schema names.")] for name in mistyped}
                )
        return super().to_internal_value(data)


# DRF converts what it can (5 and "5" for an integer, 0 and "yes" for a boolean, a number for text);
# the schema names one JSON type for each field, and the server takes only that.
JSON_TYPES: list[tuple[type[serializers.Field[Any, Any, Any, Any]], type | tuple[type, ...]]] = [
    (serializers.BooleanField, bool),
    (serializers.IntegerField, int),
    (serializers.CharField, str),
]


def _json_type_fits(field: serializers.Field[Any, Any, Any, Any], value: Any) -> bool:
    if value is None:
        return True
    if isinstance(field, serializers.ListField):
        return not isinstance(value, list) or all(_json_type_fits(field.child, item) for item in value)
    for field_class, json_type in JSON_TYPES:
        if isinstance(field, field_class):
            return isinstance(value, json_type) and (json_type is bool or not isinstance(value, bool))
    return True


class DeliverableEmailField(serializers.EmailField):
    """An address mail servers take (``validate_deliverable_email``), checked by the serializer too, so
    the rule holds where a form ignores the field (a signed-in commenter's), as the schema states it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)
        self.validators.append(validate_deliverable_email)


# Matches both lookup patterns (slugs and ids) and nothing else in an address.
URL_PLACEHOLDER = "987654321987654321"


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field[object, object, str, object]):
    """An object's absolute address, in the API or on the site, by URL name and lookup field.

    The URL is reversed once per response and filled in for each object: reversing it for every
    object was a large share of a list's cost.
    """

    def __init__(
        self, view_name: str, lookup_field: str = "slug", lookup_kwarg: str | None = None, **kwargs: Any
    ) -> None:
        self.view_name, self.lookup_field = view_name, lookup_field
        self.lookup_kwarg = lookup_kwarg or ("pk" if lookup_field in ("pk", "id") else lookup_field)
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: object) -> str:
        key = ("link", self.view_name)
        # The root serializer's context dict, shared by the response's fields, keeps the template;
        # the stubs type ``context`` as a read-only Mapping[str, Any].
        cache = cast(dict[object, Any], self.context)
        template = cache.get(key)
        if template is None:
            path = reverse(self.view_name, kwargs={self.lookup_kwarg: URL_PLACEHOLDER})
            template = cache[key] = self.context["request"].build_absolute_uri(path)
        before, _placeholder, after = template.rpartition(URL_PLACEHOLDER)
        return f"{before}{getattr(value, self.lookup_field)}{after}"


class HasPage(Protocol):
    """An object with a page of its own on the site."""

    def get_absolute_url(self) -> str: ...


@extend_schema_field(OpenApiTypes.URI)
class SiteUrlField(serializers.Field[HasPage, object, str, HasPage]):
    """The object's page on the site, as an absolute address."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "The page on the site.")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: HasPage) -> str:
        request: Request = self.context["request"]
        return request.build_absolute_uri(value.get_absolute_url())


class Pagination(PageNumberPagination):
    """Numbered pages; a malformed page or page size is a 400, a page past the end a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request: Request, paginator: "Paginator[Any]") -> int:
        return self._positive_int(request, self.page_query_param, default=1, maximum=None)

    def get_page_size(self, request: Request) -> int:
        return self._positive_int(
            request, self.page_size_query_param, default=self.page_size, maximum=self.max_page_size
        )

    @staticmethod
    def _positive_int(request: Request, name: str, *, default: int, maximum: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise serializers.ValidationError({name: [_("Give a whole number of 1 or more.")]})
        if maximum is not None and int(raw) > maximum:
            raise serializers.ValidationError(
                {name: [_("Give a number no larger than %(maximum)d.") % {"maximum": maximum}]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: "APIView") -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class RatesFromSettings:
    """Reads the rate on each request: DRF copies the rates once at import, so a changed setting would be ignored."""

    scope: str | None

    def get_rate(self) -> str | None:
        if self.scope is None:
            return None
        # The stubs type the rates as numbers; DRF's rates are strings such as "100/hour".
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[return-value]


def filters_apply(view: "APIView") -> bool:
    """Filters narrow a list. A detail, or an action on one object, finds its object unfiltered, so a
    list's filters neither apply to it nor appear in its schema (``core.api.schema``)."""
    return getattr(view, "action", "list") == "list"


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, except that a filter given with no value is an error rather than silently ignored."""

    def filter_queryset(self, request: Request, queryset: QuerySet[_M], view: "APIView") -> QuerySet[_M]:
        if not filters_apply(view):
            return queryset
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            blank = [name for name in filterset_class.base_filters if "" in request.query_params.getlist(name)]
            if blank:
                raise serializers.ValidationError(
                    {name: [_("Give a value, or leave the parameter out.")] for name in blank}
                )
        # django-filter ships no type information; its backend returns the queryset narrowed.
        filtered: QuerySet[_M] = super().filter_queryset(request, queryset, view)
        return filtered


class CountingThrottle(SimpleRateThrottle):
    """DRF's rate and key, counted by the shared atomic counter (``core.throttle``) instead of DRF's
    read-then-write timestamp list, which parallel clients got past; the client is ``client_address``."""

    hit: Hit | None = None
    # Set from the rate by SimpleRateThrottle.__init__ (None with no rate); not in the stubs.
    num_requests: int | None
    duration: int | None

    def get_ident(self, request: Request) -> str:
        return client_address(request)

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        assert self.num_requests is not None and self.duration is not None  # parsed from the rate
        self.hit = window_hit(key, limit=self.num_requests, window=self.duration)
        return self.hit.allowed

    def wait(self) -> float | None:
        return self.hit.retry_after if self.hit is not None else None


class AnonymousThrottle(RatesFromSettings, CountingThrottle, AnonRateThrottle):
    """Per client address, for requests without a signed-in user or token."""


class UserThrottle(RatesFromSettings, CountingThrottle, UserRateThrottle):
    """Per user, whether signed in by session or by token.

    Anonymous requests are AnonymousThrottle's alone: counted here as well, a request could take the
    last place in one count and be refused by the other, and fewer than the limit would get through.
    """

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
