"""anymail's webhook URLs, answering a payload they cannot read with a 400 instead of a 500.

anymail checks the basic-auth secret first (a wrong one is a 400 already), then parses the body
in each provider's ``parse_events``; a body that is not the provider's JSON, well-formed JSON of
another shape (``[1,2]``, ``"x"``, ``null``), an event naming no message and no recipient
(``{"a":1}``), or an event posted to the wrong webhook (tracking for inbound) raised out of its
view as a server error or was accepted as an empty event. Only parsing is guarded: errors in
our receivers still give a 500, so that the provider retries. A provider this site has no keys
for is a 404, not the 500 its view raises on every post.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, cast

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError, AnymailImproperlyInstalled
from anymail.signals import AnymailInboundEvent, AnymailTrackingEvent
from anymail.webhooks.base import AnymailCoreWebhookView
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseNotFound
from django.http.response import HttpResponseBase
from django.urls import URLPattern

log = logging.getLogger(__name__)

app_name = anymail_urls.app_name

# What a provider's parser raises on a body of the wrong shape: it indexes lists as dicts, calls
# .get on strings and None, and so on. ValueError covers JSON and UTF-8 decoding errors.
SHAPE_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, AnymailConfigurationError)


class UnreadablePayload(Exception):
    pass


class _WebhookViewFunction(Protocol):
    """What ``View.as_view()`` returns: the view function, carrying the class and arguments it was made from."""

    view_class: type[AnymailCoreWebhookView]
    view_initkwargs: dict[str, Any]

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase: ...


def _says_something(event) -> bool:
    """An event our receivers can act on: a tracking event names a message or a recipient, mail has a sender."""
    if isinstance(event, AnymailTrackingEvent):
        return bool(event.recipient or event.message_id)
    if isinstance(event, AnymailInboundEvent):
        message = event.message
        return message is not None and bool(message.get("From") or message.envelope_sender)
    return True


def _checked(view_class: type[AnymailCoreWebhookView]) -> type[AnymailCoreWebhookView]:
    def parse_events(self: AnymailCoreWebhookView, request: HttpRequest) -> list:
        try:
            events = list(view_class.parse_events(self, request))
        except SHAPE_ERRORS as error:
            raise UnreadablePayload(type(error).__name__) from error
        if not all(_says_something(event) for event in events):
            raise UnreadablePayload("an event with no message, recipient or sender")
        return events

    return type(view_class.__name__, (view_class,), {"parse_events": parse_events, "__module__": __name__})


def answer_unreadable_payloads(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except UnreadablePayload as error:
            log.warning("Unreadable email provider webhook post to %s: %s", request.path, error)
            return HttpResponseBadRequest(f"Could not read this webhook post: {error}.", content_type="text/plain")
        except (AnymailConfigurationError, AnymailImproperlyInstalled) as error:
            # anymail routes every provider it knows; one this site has no keys for cannot answer.
            # Logged as an error: for the provider in use it means a missing setting.
            log.error("Webhook post to %s, a provider not set up here: %s", request.path, error)
            return HttpResponseNotFound("This email provider is not set up here.", content_type="text/plain")

    return wrapped


def _guarded(pattern: URLPattern) -> URLPattern:
    # Every anymail URL routes a class-based view: as_view() sets these attributes on the function.
    view = cast(_WebhookViewFunction, pattern.callback)
    checked = _checked(view.view_class).as_view(**view.view_initkwargs)
    return URLPattern(pattern.pattern, answer_unreadable_payloads(checked), pattern.default_args, pattern.name)


urlpatterns = [_guarded(pattern) for pattern in anymail_urls.urlpatterns]
