from django import template
from django.urls import reverse

from comments import queues
from comments.permissions import can_see_comments

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_queues(context) -> list[dict]:
    """The queues with their capped counts, for whoever may see comments; nothing for anyone else."""
    if not can_see_comments(context["request"].user):
        return []
    return [
        {
            "label": count.queue.label,
            "url": reverse(f"admin:comments_{count.queue.model._meta.model_name}_changelist"),
            "count": count.shown,
            "more": count.more,
            "oldest_at": count.oldest_at,
            "key": count.queue.key,
        }
        for count in queues.queue_counts()
    ]
