"""The one rule every door to staff data applies: the admin's own.

The admin lets in only active members of staff, then asks for the model
permission; a page or an API endpoint that asked for the permission alone would
serve someone whose staff status was taken away but who is still in a group.
"""


def staff_can(user, permission: str) -> bool:
    """True for an active member of staff holding ``permission`` (superusers hold every one)."""
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and user.has_perm(permission)
    )
