"""A NUL character in a URL's path or query is a 400, never a 500.

PostgreSQL refuses NUL in any string, so before the check every token link and every admin list
filter that put one into a query answered 500 there (SQLite stored it and answered 404 or 200).
CI runs this file on PostgreSQL.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Every URL that carries a token or signed value, from the apps' urls.py files (allauth's too).
TOKEN_URLS = [
    "/responses/%00/",
    "/responses/%00/withdraw/",
    "/late-responses/%00/",
    "/comments/confirm/%00/",
    "/comments/replies/stop/%00/",
    "/notifications/confirm/%00/",
    "/notifications/preferences/%00/",
    "/notifications/unsubscribe/%00/",
    "/accounts/confirm-email/%00/",
    "/accounts/password/reset/key/%00-%00/",
    "/responses/a%00b/",
    "/comments/confirm/abc%00def/",
]


@pytest.fixture
def anonymous_client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", TOKEN_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_nul_in_a_token_link_is_a_400(url, method, anonymous_client):
    response = getattr(anonymous_client, method)(url)

    assert response.status_code == 400


def routes_with_a_text_parameter(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every route whose path takes a str or path parameter, with a NUL in each, from the URLconf itself."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = getattr(entry.pattern, "_route", None)
        if route is None:
            continue
        if isinstance(entry, URLResolver):
            found.extend(routes_with_a_text_parameter(entry, prefix + route))
        elif isinstance(entry, URLPattern) and ("<str:" in route or "<path:" in route):
            found.append(prefix + route)
    return found


def with_nul(route: str) -> str:
    route = re.sub(r"<(str|path):\w+>", "%00", route)
    route = re.sub(r"<int:\w+>", "1", route)
    return "/" + re.sub(r"<slug:\w+>", "x", route)


def test_every_route_with_a_text_parameter_answers_a_nul_with_a_400(anonymous_client):
    routes = routes_with_a_text_parameter()
    assert "responses/<str:token>/" in routes and "notifications/unsubscribe/<str:token>/" in routes

    answers = {route: anonymous_client.get(with_nul(route)).status_code for route in routes}

    assert answers == dict.fromkeys(routes, 400)


def test_a_nul_in_a_page_query_is_a_400_page(anonymous_client):
    response = anonymous_client.get("/analyses/?q=%00")

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_a_nul_in_an_api_filter_is_a_400_in_the_apis_error_shape(anonymous_client):
    response = anonymous_client.get("/api/v1/analyses/?search=%00")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == {"detail", "code", "errors"}


def changelists_with_filters() -> list[str]:
    return [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model, model_admin in admin.site._registry.items()
        if model_admin.list_filter
    ]


def test_a_nul_in_any_admin_list_filter_is_a_400(client_for, superuser):
    client = client_for(superuser)
    client.raise_request_exception = False
    lists = changelists_with_filters()
    assert len(lists) >= 9
    refused = {}
    for url in lists:
        page = client.get(url)
        assert page.status_code == 200, url
        parameters = {"status__exact", "q"}
        for spec in page.context["cl"].filter_specs:
            parameters.update(spec.expected_parameters())
        refused[url] = {parameter: client.get(f"{url}?{parameter}=%00").status_code for parameter in parameters}

    assert {url: set(codes.values()) for url, codes in refused.items()} == {url: {400} for url in lists}
