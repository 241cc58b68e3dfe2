from django import template

from comments import queues
from comments.permissions import can_see_comments

register = template.Library()

# The queues' proxy models: the moderation table lists them on the admin index, with their counts.
QUEUE_MODELS = {queue.model._meta.object_name for queue in queues.QUEUES}


@register.simple_tag(takes_context=True)
def moderation_queues(context) -> list[queues.QueueCount]:
    """The queues with their capped counts and ages, for whoever may see comments; nothing for anyone else."""
    if not can_see_comments(context["request"].user):
        return []
    return queues.queue_counts()


@register.simple_tag(takes_context=True)
def app_list_without_queues(context, app_list: list[dict]) -> list[dict]:
    """The index's app list less the queues for whoever sees the moderation table, so none is listed twice."""
    if not can_see_comments(context["request"].user):
        return app_list
    return [
        {**app, "models": [model for model in app["models"] if model["object_name"] not in QUEUE_MODELS]}
        if app["app_label"] == "comments"
        else app
        for app in app_list
    ]
