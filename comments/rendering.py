"""Comment text as HTML: escaped, paragraphs and line breaks kept, web addresses made links.

Rendered once when a comment is saved, because linking is the dearest part of
showing a comment and a page may show hundreds.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, linebreaks, urlize
from django.utils.translation import gettext as _

URL_DISPLAY_LIMIT = 60
# urlize escapes the text before it adds links, so this attribute can only be one it wrote.
NOFOLLOW = ' rel="nofollow"'
LINK_REL = ' rel="nofollow ugc noopener"'


def comment_html(text: str) -> str:
    linked = urlize(text, trim_url_limit=URL_DISPLAY_LIMIT, nofollow=True, autoescape=True)
    return str(linebreaks(linked.replace(NOFOLLOW, LINK_REL)))


# --- A page of threads ---------------------------------------------------------------------------
#
# The list is the dearest part of a discussion page: a template loop cost about 0.1 ms a comment, most of
# it in variable lookups. This writes the same markup as one string per comment, every value escaped
# here; templates/comments/section.html keeps everything around it.


# The admin address of a comment split where its id goes, for staff who may answer as the team.
TeamUrl = tuple[str, str] | None


@dataclass(frozen=True)
class ThreadWords:
    """The words of the list, translated once a page."""

    removed: str
    edited: str
    declaration: str
    team: str
    team_reply: str
    reply: str
    to: str
    report: str
    edit: str
    delete: str
    behalf: str
    moderation: str
    confirmation: str

    @classmethod
    def current(cls) -> "ThreadWords":
        return cls(
            removed=escape(_("This comment was removed.")),
            edited=escape(_("edited")),
            declaration=escape(_("Declaration of interest:")),
            team=escape(_("Policy team")),
            team_reply=escape(_("Answer as the policy team")),
            reply=escape(_("Reply")),
            to=escape(_("to")),
            report=escape(_("Report")),
            edit=escape(_("Edit")),
            delete=escape(_("Delete")),
            behalf=escape(_("on behalf of")),
            moderation=escape(_("awaiting moderation")),
            confirmation=escape(_("awaiting your email confirmation")),
        )


def _badges(comment: Any, words: ThreadWords) -> str:
    badges = ""
    if comment.edited_at:
        badges += f'<span class="badge">{words.edited}</span>'
    if comment.official_at:
        badges += f'<span class="badge badge--official">{words.team}</span>'
    if comment.team_label:
        badges += f'<span class="badge badge--response">{words.team}: {escape(comment.team_label)}</span>'
    if comment.is_own:
        waiting = words.confirmation if comment.status == "unconfirmed" else words.moderation
        badges += f'<span class="badge badge--waiting">{waiting}</span>'
    return badges


def _actions(comment: Any, author: str, words: ThreadWords, reply_query: str | None, team_url: TeamUrl) -> str:
    actions = ""
    if comment.is_public:
        if reply_query is not None:
            actions += (
                f'<a href="?{reply_query}replyto={comment.pid}#respond" data-reply-to="{comment.pid}" '
                f'data-reply-name="{author}">{words.reply}'
                f'<span class="visually-hidden"> {words.to} {author}</span></a> '
            )
        actions += f'<a href="{comment.report_url}" rel="nofollow">{words.report}</a>'
        if team_url is not None:
            before, after = team_url
            actions += f' <a href="{before}{comment.pid}{after}#respond-heading">{words.team_reply}</a>'
    if comment.editable:
        actions += f' <a href="{comment.edit_url}">{words.edit}</a> <a href="{comment.delete_url}">{words.delete}</a>'
    return actions


def _comment_html(comment: Any, words: ThreadWords, reply_query: str | None, team_url: TeamUrl) -> str:
    if comment.placeholder:
        body = f'<p class="comment__removed">{words.removed}</p>'
        modifier = " comment--removed"
    else:
        author = escape(comment.author_name)
        organisation = (
            f'<span class="comment__organisation">{words.behalf} {escape(comment.organisation)}</span>'
            if comment.organisation
            else ""
        )
        declaration = (
            f'<p class="comment__declaration"><strong>{words.declaration}</strong> '
            f"{escape(comment.declaration_of_interest)}</p>"
            if comment.declaration_of_interest
            else ""
        )
        body = (
            f'<header class="comment__meta"><span class="comment__author">{author}</span>{organisation}'
            f'<a class="comment__permalink" href="#comment-{comment.pid}"><time datetime="{comment.created_iso}">'
            f"{comment.created_text}</time></a>{_badges(comment, words)}</header>"
            f'<div class="comment__text">{comment.text_html}</div>{declaration}'
            f'<p class="comment__actions">{_actions(comment, author, words, reply_query, team_url)}</p>'
        )
        modifier = " comment--waiting" if comment.is_own else ""
    after = (
        '<ol class="comment-list comment-list--replies">'
        if comment.opens_replies
        else "</li>" + "</ol></li>" * len(comment.closing_levels)
    )
    return (
        f'<li class="comment-list__item"><article id="comment-{comment.pid}" class="comment{modifier}" '
        f'tabindex="-1">{body}</article>{after}'
    )


def thread_html(comments: Iterable[Any], *, reply_query: str | None, team_url: TeamUrl) -> str:
    """The items of a page of threads, nested as ``selectors.arrange`` marked them.

    ``reply_query`` is the query string reply links start with (None: the discussion is closed);
    ``team_url`` the admin address of a comment, split where its id goes, for staff who may answer as the
    team, else None.
    """
    words = ThreadWords.current()
    return "".join(_comment_html(comment, words, reply_query, team_url) for comment in comments)
