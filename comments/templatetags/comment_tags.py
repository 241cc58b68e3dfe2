from typing import Any

from django import template
from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from comments import rendering
from comments.selectors import CommentLinks, CommentSection
from comments.views import comment_context

register = template.Library()


@register.filter
def comment_html(text: str) -> SafeString:
    """For text not yet saved; a saved comment carries the same HTML in ``text_html``."""
    return mark_safe(rendering.comment_html(text))  # noqa: S308


def _section_context(context: template.Context, target: models.Model) -> dict[str, Any]:
    """The comment section's context, built once per page render however many tags ask for it."""
    key = f"comments.section:{target._meta.label}:{target.pk}"
    if key not in context.render_context:
        context.render_context[key] = comment_context(context["request"], target)
    section: dict[str, Any] = context.render_context[key]
    return section


@register.simple_tag(takes_context=True)
def comment_items(context: template.Context, section: "CommentSection") -> SafeString:
    """``{% comment_items comments %}``: the list items of a page of threads (``rendering.thread_html``)."""
    user, perms = context.get("user"), context.get("perms")
    team_url = None
    if user is not None and user.is_staff and perms is not None and perms["comments"]["change_comment"]:
        placeholder = CommentLinks.PLACEHOLDER
        team_url = tuple(reverse("admin:comments_comment_change", args=[placeholder]).split(placeholder))
    reply_query = None if section.closed else section.page_query
    html = rendering.thread_html(section.comments, reply_query=reply_query, team_url=team_url)  # type: ignore[arg-type]
    return mark_safe(html)  # noqa: S308  # every value is escaped by thread_html


@register.simple_tag(takes_context=True)
def comment_section_context(context: template.Context, target: models.Model) -> dict[str, Any]:
    """``{% comment_section_context analysis as section %}``: the section's values, e.g. ``section.comments.count``."""
    return _section_context(context, target)


@register.simple_tag(takes_context=True)
def comment_section(context: template.Context, target: models.Model, heading: str = "", intro: str = "") -> SafeString:
    """``{% comment_section analysis %}``: one page of threads, the form and the reply target.

    Rendered like ``{% include "comments/section.html" %}`` with the section's values added, so the
    section sees the page's context (user, perms, csrf_token) exactly as an include would. A page may
    name the section (``heading=``) and say what it is for (``intro=``).
    """
    assert context.template is not None
    section = context.template.engine.get_template("comments/section.html")
    with context.update({**_section_context(context, target), "section_heading": heading, "section_intro": intro}):
        return section.render(context)
