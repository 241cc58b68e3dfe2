"""Who may read the moderation queues and who may decide: one rule for the admin, the staff pages and the API."""

from rest_framework.permissions import BasePermission

from accounts.permissions import staff_can


def can_moderate(user) -> bool:
    return staff_can(user, "comments.change_comment")


def can_see_comments(user) -> bool:
    """Reading the queues shows authors' addresses, so it needs staff status as deciding does."""
    return staff_can(user, "comments.view_comment") or can_moderate(user)


class CanSeeComments(BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_see_comments(request.user)


class CanModerate(BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_moderate(request.user)
