"""anymail's webhook URLs, answering a payload they cannot read with a 400 instead of a 500.

anymail checks the basic-auth secret first (a wrong one is a 400 already), then
parses the body; a body that is not the provider's JSON, or an event posted to
the wrong webhook (tracking for inbound), raised out of its view as a server
error. Errors in our receivers still give a 500, so that the provider retries.
"""

import json
import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from django.http import HttpResponseBadRequest
from django.urls import URLPattern

log = logging.getLogger(__name__)

app_name = anymail_urls.app_name


def answer_unreadable_payloads(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (json.JSONDecodeError, UnicodeDecodeError, AnymailConfigurationError) as error:
            log.warning("Unreadable email provider webhook post to %s: %s", request.path, error)
            return HttpResponseBadRequest(
                f"Could not read this webhook post: {type(error).__name__}.", content_type="text/plain"
            )

    return wrapped


urlpatterns = [
    URLPattern(pattern.pattern, answer_unreadable_payloads(pattern.callback), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
]
