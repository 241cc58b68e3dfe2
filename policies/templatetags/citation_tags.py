from django import template
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from policies.selectors import analyses_citing
from webinars.models import Quote

register = template.Library()


@register.simple_tag(takes_context=True)
def cited_in(context: template.Context, quotes: QuerySet[Quote], heading: str) -> SafeString:
    """``{% cited_in speaker.quotes.all "Cited in" %}``: the published analyses citing any of the quotes.

    Under the page's heading, as a list of links; nothing at all when no analysis cites them. Webinar
    and speaker pages show it without knowing about analyses: policies cites webinars, not the reverse.
    """
    assert context.template is not None
    section = context.template.engine.get_template("policies/_cited_in.html")
    with context.update({"citing": analyses_citing(quotes=quotes), "heading": heading}):
        return section.render(context)
