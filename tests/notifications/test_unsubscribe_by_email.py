"""Unsubscribing by email: the mailto: in List-Unsubscribe, by service, provider webhook and MTA pipe."""

import base64
import importlib
import io
import json
import logging
import subprocess
import sys
from datetime import timedelta
from email.header import Header
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.management import CommandError, call_command
from django.urls import clear_url_caches

import config.urls
from notifications import tokens
from notifications.models import Subscriber, Suppression
from notifications.services.mail_unsubscribe import Outcome, unsubscribe_by_email_message
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SECRET = "postmark:correct-horse-battery-staple"
INBOUND_URL = "/anymail/postmark/inbound/"


def mailto_subject(email: str) -> str:
    """The subject a mail client fills in from the mailto: link of a bulk email sent to ``email``."""
    mailto = urlsplit(tokens.bulk_links(email)["unsubscribe_mailto"])
    [subject] = parse_qs(mailto.query)["subject"]
    return subject


def token_of(email: str) -> str:
    return mailto_subject(email).split(" ", 1)[1]


class PastSigner(signing.TimestampSigner):
    """Signs as if it were ``days_ago`` days ago: an old token without touching the clock."""

    def __init__(self, *, days_ago: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.days_ago = days_ago

    def timestamp(self) -> str:
        then = int(signing.time.time() - timedelta(days=self.days_ago).total_seconds())
        return signing.b62_encode(then)


def old_token(email: str, days_ago: int) -> str:
    return PastSigner(days_ago=days_ago, key=django_settings.SECRET_KEY, salt=tokens.UNSUBSCRIBE).sign_object(email)


@pytest.fixture
def reader(db) -> Subscriber:
    return SubscriberFactory(email="reader@example.org", webinars=True)


# --- the service ---------------------------------------------------------------------


def test_the_mailto_subject_unsubscribes_its_address(reader):
    outcome = unsubscribe_by_email_message(subject=mailto_subject("reader@example.org"), sender="reader@example.org")

    assert outcome == Outcome.UNSUBSCRIBED
    reader.refresh_from_db()
    assert reader.unsubscribed_at is not None
    assert Suppression.objects.get().reason == Suppression.Reason.UNSUBSCRIBED


@pytest.mark.parametrize(
    "template",
    [
        "Re: unsubscribe {token}",
        "RE: Fwd: Unsubscribe {token}",
        "UNSUBSCRIBE {token}",
        "  unsubscribe \t  {token}  ",
        "unsubscribe\r\n {token}",
        "unsubscribe%20{token}",
    ],
)
def test_it_tolerates_what_mail_clients_do_to_the_subject(template, reader):
    subject = template.format(token=token_of("reader@example.org"))

    assert unsubscribe_by_email_message(subject=subject, sender="reader@example.org") == Outcome.UNSUBSCRIBED
    assert Subscriber.objects.get().unsubscribed_at is not None


def test_the_token_not_the_sender_says_who_leaves(reader):
    SubscriberFactory(email="sender@example.org")

    unsubscribe_by_email_message(subject=mailto_subject("reader@example.org"), sender="sender@example.org")

    assert list(Subscriber.objects.confirmed().values_list("email", flat=True)) == ["sender@example.org"]


def test_a_tampered_token_changes_nothing_and_is_logged(reader, caplog):
    token = token_of("reader@example.org")
    forged = signing.TimestampSigner(key="not-our-key", salt=tokens.UNSUBSCRIBE).sign_object("reader@example.org")

    with caplog.at_level(logging.WARNING, logger="notifications.services.mail_unsubscribe"):
        outcomes = [
            unsubscribe_by_email_message(subject=f"unsubscribe {token[:-1]}x", sender="x@example.org"),
            unsubscribe_by_email_message(subject=f"unsubscribe {forged}", sender="x@example.org"),
        ]

    assert outcomes == [Outcome.FORGED, Outcome.FORGED]
    assert Subscriber.objects.get().is_confirmed
    assert not Suppression.objects.exists()
    assert "invalid token" in caplog.text


def test_a_token_made_for_another_purpose_is_refused(reader):
    preferences = tokens.make(tokens.PREFERENCES, "reader@example.org")

    outcome = unsubscribe_by_email_message(subject=f"unsubscribe {preferences}", sender="reader@example.org")

    assert outcome == Outcome.FORGED
    assert Subscriber.objects.get().is_confirmed


def test_an_expired_token_changes_nothing(reader, caplog):
    days = django_settings.NOTIFICATIONS_LINK_DAYS[tokens.UNSUBSCRIBE]

    with caplog.at_level(logging.WARNING, logger="notifications.services.mail_unsubscribe"):
        outcome = unsubscribe_by_email_message(
            subject=f"unsubscribe {old_token('reader@example.org', days + 1)}", sender="reader@example.org"
        )

    assert outcome == Outcome.EXPIRED
    assert Subscriber.objects.get().is_confirmed
    assert not Suppression.objects.exists()
    assert "expired token" in caplog.text


def test_a_token_just_inside_its_lifetime_still_works(reader):
    days = django_settings.NOTIFICATIONS_LINK_DAYS[tokens.UNSUBSCRIBE]

    outcome = unsubscribe_by_email_message(
        subject=f"unsubscribe {old_token('reader@example.org', days - 1)}", sender="reader@example.org"
    )

    assert outcome == Outcome.UNSUBSCRIBED


def test_unsubscribing_twice_changes_nothing_more(reader):
    subject = mailto_subject("reader@example.org")
    unsubscribe_by_email_message(subject=subject, sender="reader@example.org")
    left_at = Subscriber.objects.get().unsubscribed_at

    outcome = unsubscribe_by_email_message(subject=subject, sender="reader@example.org")

    assert outcome == Outcome.UNSUBSCRIBED
    assert Subscriber.objects.get().unsubscribed_at == left_at
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize("subject", ["", "Question about your analysis", "unsubscribe", "Please unsubscribe me"])
def test_mail_that_is_not_an_unsubscribe_request_is_ignored(subject, reader):
    assert unsubscribe_by_email_message(subject=subject, sender="reader@example.org") == Outcome.NOT_A_REQUEST
    assert Subscriber.objects.get().is_confirmed


# --- the provider's inbound webhook ----------------------------------------------------


@pytest.fixture
def webhooks(settings):
    unset = settings.ANYMAIL
    settings.ANYMAIL = {**unset, "WEBHOOK_SECRET": [SECRET]}
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.ANYMAIL = unset
    importlib.reload(config.urls)
    clear_url_caches()


def postmark_inbound(subject: str, sender: str = "reader@example.org") -> dict:
    """A Postmark inbound webhook payload, as in Postmark's documentation."""
    return {
        "FromName": "A Reader",
        "MessageStream": "inbound",
        "From": sender,
        "FromFull": {"Email": sender, "Name": "A Reader", "MailboxHash": ""},
        "To": "unsubscribe@example.org",
        "ToFull": [{"Email": "unsubscribe@example.org", "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": "unsubscribe@example.org",
        "Subject": subject,
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Fri, 27 Nov 2026 03:10:32 +0000",
        "TextBody": "",
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": f"<{sender}>"},
            {"Name": "X-Spam-Status", "Value": "No"},
            {"Name": "MIME-Version", "Value": "1.0"},
        ],
        "Attachments": [],
    }


def post_inbound(client, payload: dict, secret: str = SECRET):
    authorization = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(
        INBOUND_URL, data=json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=authorization
    )


def test_the_inbound_webhook_unsubscribes_by_the_subject(webhooks, client, reader):
    response = post_inbound(client, postmark_inbound(f"Re: {mailto_subject('reader@example.org')}"))

    assert response.status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is not None
    assert Suppression.objects.get().reason == Suppression.Reason.UNSUBSCRIBED


def test_the_inbound_webhook_accepts_and_ignores_a_forged_token(webhooks, client, reader):
    token = token_of("reader@example.org")

    response = post_inbound(client, postmark_inbound(f"unsubscribe {token[:-2]}zz"))

    assert response.status_code == 200
    assert Subscriber.objects.get().is_confirmed


def test_the_inbound_webhook_refuses_wrong_credentials(webhooks, client, reader):
    response = post_inbound(client, postmark_inbound(mailto_subject("reader@example.org")), secret="postmark:guess")

    assert response.status_code in (400, 401, 403)
    assert Subscriber.objects.get().is_confirmed


# --- the MTA's pipe alias -----------------------------------------------------------------


def raw_message(subject: str, sender: str = "A Reader <reader@example.org>") -> bytes:
    return (
        f"Return-Path: <reader@example.org>\r\n"
        f"From: {sender}\r\n"
        f"To: unsubscribe@example.org\r\n"
        f"Subject: {subject}\r\n"
        f"Date: Fri, 27 Nov 2026 03:10:32 +0000\r\n"
        f"Message-ID: <a1b2c3@mail.example.org>\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"\r\n"
        f"This message was sent from the unsubscribe link.\r\n"
    ).encode()


def run_command(data: bytes) -> str:
    out = io.StringIO()
    call_command("receive_unsubscribe_email", stdin=io.BytesIO(data), stdout=out)
    return out.getvalue().strip()


def test_the_command_unsubscribes_by_the_subject_of_the_message_on_stdin(reader):
    assert run_command(raw_message(mailto_subject("reader@example.org"))) == "unsubscribed"

    assert Subscriber.objects.get().unsubscribed_at is not None
    assert Suppression.objects.get().email == "reader@example.org"


def test_the_command_reads_an_encoded_subject(reader):
    encoded = Header(f"Re: {mailto_subject('reader@example.org')}", "utf-8").encode()
    assert encoded.startswith("=?utf-8?")

    assert run_command(raw_message(encoded)) == "unsubscribed"
    assert Subscriber.objects.get().unsubscribed_at is not None


def test_the_command_accepts_and_ignores_a_forged_token(reader):
    token = token_of("reader@example.org")

    assert run_command(raw_message(f"unsubscribe {token}extra")) == "forged"
    assert Subscriber.objects.get().is_confirmed


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"this is not an email at all\n"])
def test_the_command_fails_on_a_malformed_message(data, reader):
    with pytest.raises(CommandError) as error:
        run_command(data)

    assert error.value.returncode == 65
    assert Subscriber.objects.get().is_confirmed


def manage(data: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "receive_unsubscribe_email"],
        input=data,
        capture_output=True,
        cwd=django_settings.BASE_DIR,
        timeout=60,
        check=False,
    )


def test_the_pipe_exits_zero_for_mail_it_ignores_and_65_for_a_malformed_message():
    ignored = manage(raw_message("Lunch on Friday?"))
    malformed = manage(b"garbage without any header\n")

    assert (ignored.returncode, ignored.stdout.strip()) == (0, b"not_a_request")
    assert malformed.returncode == 65
    assert b"Not an email" in malformed.stderr
