"""The signed links in comment emails: confirming a guest's address, stopping reply emails, asking for a review."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from comments.models import Comment

CONFIRM_SALT = "comments.confirm"


def confirmation_token(comment: Comment) -> str:
    return signing.dumps({"comment": comment.pk, "email": comment.author_email}, salt=CONFIRM_SALT)


def comment_from_confirmation_token(token: str) -> Comment:
    """The comment a confirmation link names; raises signing.BadSignature for a bad or expired link."""
    max_age = timedelta(hours=settings.COMMENTS_UNCONFIRMED_HOURS)
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    comment = Comment.objects.filter(pk=data["comment"], author_email=data["email"]).first()
    if comment is None:
        raise signing.BadSignature("No such comment.")
    return comment


STOP_REPLIES_SALT = "comments.stop-replies"


def stop_replies_token(comment: Comment) -> str:
    """Names the thread and the address; it never expires, as an unsubscribe link must keep working."""
    return signing.dumps({"root": comment.root_id or comment.pk, "email": comment.author_email}, salt=STOP_REPLIES_SALT)


def stop_replies_subject(token: str) -> tuple[int, str]:
    """(root comment id, email) from a token; raises signing.BadSignature for a forged one."""
    data = signing.loads(token, salt=STOP_REPLIES_SALT)
    return int(data["root"]), str(data["email"])


REVIEW_SALT = "comments.review"


def review_token(comment: Comment) -> str:
    """For the author of a comment the automatic checks rejected: its page, and asking for a review."""
    return signing.dumps({"comment": comment.pk, "email": comment.author_email}, salt=REVIEW_SALT)


def comment_from_review_token(token: str) -> Comment:
    """The comment a review link names; raises signing.BadSignature for a bad or expired link."""
    max_age = timedelta(days=settings.COMMENTS_REVIEW_DAYS)
    data = signing.loads(token, salt=REVIEW_SALT, max_age=max_age)
    comment = Comment.objects.filter(pk=data["comment"], author_email=data["email"]).first()
    if comment is None:
        raise signing.BadSignature("No such comment.")
    return comment
