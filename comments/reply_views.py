from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from comments import moderation


# RFC 8058: a mail client's one-click POST carries no CSRF token; the signed token is the credential.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def stop_replies(request, token: str):
    """One click from a reply email stops further reply emails for that thread."""
    try:
        moderation.comment_replies_stop(token=token)
    except signing.BadSignature:
        return render(request, "comments/replies_stopped.html", {"valid": False}, status=400)
    return render(request, "comments/replies_stopped.html", {"valid": True})
