"""Rendering emails from templates found by name.

``templates/emails/<name>-subject.txt``, ``<name>-body.txt`` and
``<name>-body.html``; the HTML extends ``emails/layout.html``. Every email
gets the site's name, address and postal address in its context.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def site_context() -> dict[str, str]:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "postal_address": settings.SITE_POSTAL_ADDRESS,
    }


def render_text(name: str, context: dict) -> str:
    # Plain text is not HTML: "Q&A" must stay "Q&A", not become "Q&amp;A".
    template = get_template(name)
    # Email templates are Django templates: only those render a Context with autoescape off.
    assert isinstance(template, DjangoTemplate)
    return template.template.render(Context(context, autoescape=False))


def render(template: str, context: dict) -> Rendered:
    full = {**site_context(), **context}
    subject = render_text(f"emails/{template}-subject.txt", full)
    return Rendered(
        # A header cannot hold a line break, and templates end with one.
        subject=" ".join(subject.split()),
        text=render_text(f"emails/{template}-body.txt", full).strip() + "\n",
        html=render_to_string(f"emails/{template}-body.html", full),
    )
