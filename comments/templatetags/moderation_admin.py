from django import template
from django.urls import reverse

from comments import queues

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_queues(context) -> list[dict]:
    """The queues with their capped counts, for whoever may see comments; nothing for anyone else."""
    user = context["request"].user
    if not user.has_perm("comments.view_comment") and not user.has_perm("comments.change_comment"):
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
