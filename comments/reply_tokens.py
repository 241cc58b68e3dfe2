"""The signed link in a reply email that stops further reply emails for one thread."""

from django.core import signing

from comments.models import Comment

STOP_REPLIES_SALT = "comments.stop-replies"


def stop_replies_token(comment: Comment) -> str:
    """Names the thread and the address; it never expires, as an unsubscribe link must keep working."""
    return signing.dumps({"root": comment.root_id or comment.pk, "email": comment.author_email}, salt=STOP_REPLIES_SALT)


def stop_replies_subject(token: str) -> tuple[int, str]:
    """(root comment id, email) from a token; raises signing.BadSignature for a forged one."""
    data = signing.loads(token, salt=STOP_REPLIES_SALT)
    return int(data["root"]), str(data["email"])
