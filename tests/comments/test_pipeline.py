"""Each automatic check alone, then the checks together in order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments import pipeline
from comments.models import Comment
from comments.services import ip_hash_of
from moderation.models import Ban, BlockedTerm, TrustedCommenter
from tests.factories import CommentFactory, UserFactory

Status = Comment.Status


@pytest.fixture
def submit(analysis):
    def make(**changes) -> pipeline.Verdict:
        fields = {
            "target": analysis,
            "text": "A considered comment about research funding.",
            "author_email": "ada@example.org",
            "ip_hash": ip_hash_of("203.0.113.7"),
            "seconds_to_write": 60.0,
        }
        fields.update(changes)
        return pipeline.run(pipeline.Submission(**fields))

    return make


@pytest.fixture
def trusted(settings) -> None:
    """Switch off the new-commenter hold so a check can be seen alone."""
    settings.COMMENTS_MODERATION = "publish"


def test_it_publishes_a_clean_comment_from_a_trusted_author(submit, trusted):
    verdict = submit()
    assert verdict.status == Status.APPROVED
    assert verdict.reasons == []
    assert not verdict.refused


def test_it_refuses_when_the_discussion_is_closed(submit, analysis):
    analysis.comments_open = False
    verdict = submit()
    assert verdict.refused
    assert "closed" in verdict.refusal


def test_it_refuses_when_the_discussion_closed_by_age(submit, analysis):
    analysis.close_comments_after_days = 1
    analysis.publish_at = timezone.now() - timedelta(days=2)
    assert submit().refused


def test_the_honeypot_marks_spam(submit, trusted):
    verdict = submit(honeypot="http://spam.example")
    assert (verdict.status, verdict.reasons) == (Status.SPAM, ["honeypot"])


def test_a_submission_faster_than_a_person_is_spam(submit, trusted):
    assert submit(seconds_to_write=0.4).reasons == ["too_fast"]
    assert submit(seconds_to_write=0.4).status == Status.SPAM


def test_a_missing_or_forged_timing_token_is_spam(submit, trusted):
    verdict = submit(seconds_to_write=None)
    assert (verdict.status, verdict.reasons) == (Status.SPAM, ["form_tampered"])


class TestRateLimit:
    def test_it_refuses_a_second_comment_from_the_same_address_within_the_window(self, submit, analysis):
        CommentFactory(target=analysis, author_email="ada@example.org")
        verdict = submit()
        assert verdict.refused
        assert "15 seconds" in verdict.refusal

    def test_it_counts_the_ip_address(self, submit, analysis):
        CommentFactory(target=analysis, ip_hash=ip_hash_of("203.0.113.7"))
        assert submit(author_email="someone-else@example.org").refused

    def test_it_counts_the_account(self, submit, analysis):
        user = UserFactory()
        CommentFactory(target=analysis, user=user, author_email="old@example.org")
        assert submit(user=user, ip_hash="").refused

    def test_it_allows_a_comment_after_the_window(self, submit, analysis, trusted):
        CommentFactory(
            target=analysis, author_email="ada@example.org", created_at=timezone.now() - timedelta(seconds=16)
        )
        assert not submit(text="Something new").refused

    def test_the_window_is_configurable(self, submit, analysis, settings, trusted):
        settings.COMMENTS_RATE_LIMIT_SECONDS = 0
        CommentFactory(target=analysis, author_email="ada@example.org")
        assert not submit(text="Straight after").refused


class TestBans:
    @pytest.mark.parametrize(
        ("kind", "value", "reason"),
        [
            (Ban.Kind.EMAIL, "ADA@example.org", "banned_email"),
            (Ban.Kind.DOMAIN, "example.org", "banned_domain"),
            (Ban.Kind.DOMAIN, "@example.org", "banned_domain"),
        ],
    )
    def test_it_rejects_a_banned_address_or_domain(self, submit, trusted, kind, value, reason):
        Ban.objects.create(kind=kind, value=value, reason="Abuse")
        verdict = submit()
        assert (verdict.status, verdict.reasons) == (Status.REJECTED, [reason])

    def test_a_domain_ban_covers_its_subdomains(self, submit, trusted):
        Ban.objects.create(kind=Ban.Kind.DOMAIN, value="example.org", reason="Abuse")
        assert submit(author_email="ada@mail.example.org").reasons == ["banned_domain"]

    def test_it_rejects_a_banned_account(self, submit, trusted):
        user = UserFactory()
        Ban.objects.create(kind=Ban.Kind.ACCOUNT, user=user, reason="Abuse")
        assert submit(user=user).reasons == ["banned_account"]

    def test_it_rejects_a_banned_ip_address(self, submit, trusted):
        Ban.objects.create(kind=Ban.Kind.IP, value=ip_hash_of("203.0.113.7"), reason="Abuse")
        assert submit().reasons == ["banned_ip"]

    def test_an_expired_ban_no_longer_applies(self, submit, trusted):
        Ban.objects.create(
            kind=Ban.Kind.EMAIL, value="ada@example.org", reason="Cooling off", until=timezone.now() - timedelta(days=1)
        )
        assert submit().status == Status.APPROVED


class TestTerms:
    @pytest.fixture(autouse=True)
    def terms(self, db) -> None:
        BlockedTerm.objects.create(term="Viagra", action=BlockedTerm.Action.BLOCK)
        BlockedTerm.objects.create(term="miracle cure", action=BlockedTerm.Action.HOLD)

    @pytest.mark.parametrize("text", ["Buy VIAGRA now", "cheap víagra!", "vi\u200bagra here", "(viagra)"])
    def test_a_blocked_term_rejects_whatever_the_case_accents_or_hidden_characters(self, submit, trusted, text):
        verdict = submit(text=text)
        assert (verdict.status, verdict.reasons) == (Status.REJECTED, ["blocked_term:viagra"])

    def test_it_matches_whole_words_only(self, submit, trusted):
        assert submit(text="Viagrafication is not a word").status == Status.APPROVED

    def test_a_suspect_term_holds(self, submit, trusted):
        verdict = submit(text="Is there a Miracle Cure?")
        assert (verdict.status, verdict.reasons) == (Status.PENDING, ["suspect_term:miracle cure"])


class TestLinks:
    def test_two_links_pass(self, submit, trusted):
        assert submit(text="See https://a.example and www.b.example").status == Status.APPROVED

    def test_more_links_than_allowed_hold(self, submit, trusted):
        verdict = submit(text="https://a.example http://b.example www.c.example")
        assert (verdict.status, verdict.reasons) == (Status.PENDING, ["too_many_links"])

    def test_the_limit_is_configurable(self, submit, trusted, settings):
        settings.COMMENTS_MAX_LINKS = 0
        assert submit(text="https://a.example").reasons == ["too_many_links"]


class TestPersonalData:
    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("Write to me at ada.l@example.com please", "personal_data_email"),
            ("Call 07700 900123 any time", "personal_data_phone"),
            ("Ring +44 20 7946 0018", "personal_data_phone"),
            ("My NHS number is 943 476 5919", "personal_data_nhs_number"),
            ("I live near SW1A 1AA", "personal_data_postcode"),
            ("Post it to e20 1jq", "personal_data_postcode"),
        ],
    )
    def test_it_holds_personal_data_with_its_kind(self, submit, trusted, text, reason):
        verdict = submit(text=text)
        assert verdict.status == Status.PENDING
        assert reason in verdict.reasons

    def test_a_ten_digit_number_that_fails_the_nhs_check_is_not_an_nhs_number(self, submit, trusted):
        assert "personal_data_nhs_number" not in submit(text="Ref 943 476 5918").reasons

    def test_ordinary_numbers_pass(self, submit, trusted):
        assert submit(text="In 2024 we spent £1,200,000 on 35 projects.").status == Status.APPROVED

    def test_it_records_every_kind_found(self, submit, trusted):
        verdict = submit(text="ada@example.com, 07700 900123, SW1A 1AA")
        assert verdict.reasons == ["personal_data_email", "personal_data_phone", "personal_data_postcode"]


def test_the_same_text_from_the_same_author_is_a_duplicate(submit, analysis, trusted):
    CommentFactory(
        target=analysis,
        author_email="ada@example.org",
        text="Same words.",
        created_at=timezone.now() - timedelta(hours=1),
    )
    verdict = submit(text="Same words.")
    assert (verdict.status, verdict.reasons) == (Status.REJECTED, ["duplicate"])


def test_the_same_text_from_someone_else_is_not_a_duplicate(submit, analysis, trusted):
    CommentFactory(target=analysis, author_email="bob@example.org", text="Same words.")
    assert submit(text="Same words.").status == Status.APPROVED


class TestNewCommenter:
    def test_a_new_commenter_is_held(self, submit):
        verdict = submit()
        assert (verdict.status, verdict.reasons) == (Status.PENDING, ["new_commenter"])

    def test_two_approved_comments_make_a_commenter_known(self, submit, analysis):
        old = timezone.now() - timedelta(days=1)
        CommentFactory.create_batch(2, target=analysis, author_email="ada@example.org", created_at=old)
        assert submit().status == Status.APPROVED

    def test_the_number_is_configurable(self, submit, analysis, settings):
        settings.COMMENTS_APPROVED_TO_TRUST = 1
        CommentFactory(target=analysis, author_email="ada@example.org", created_at=timezone.now() - timedelta(days=1))
        assert submit().status == Status.APPROVED

    def test_rejected_comments_do_not_count(self, submit, analysis):
        old = timezone.now() - timedelta(days=1)
        CommentFactory.create_batch(
            2, target=analysis, author_email="ada@example.org", created_at=old, status="rejected"
        )
        assert submit(text="Third try").reasons == ["new_commenter"]

    def test_a_trusted_commenter_is_not_held(self, submit):
        TrustedCommenter.objects.create(email="ada@example.org")
        assert submit().status == Status.APPROVED


class TestModerationMode:
    def test_hold_all_holds_even_known_commenters(self, submit, analysis, settings):
        settings.COMMENTS_MODERATION = "hold_all"
        TrustedCommenter.objects.create(email="other@example.org")
        CommentFactory.create_batch(
            2, target=analysis, author_email="ada@example.org", created_at=timezone.now() - timedelta(days=1)
        )
        assert submit().reasons == ["hold_all"]

    def test_hold_all_spares_trusted_commenters(self, submit, settings):
        settings.COMMENTS_MODERATION = "hold_all"
        TrustedCommenter.objects.create(email="ada@example.org")
        assert submit().status == Status.APPROVED

    def test_publish_mode_publishes_new_commenters(self, submit, settings):
        settings.COMMENTS_MODERATION = "publish"
        assert submit().status == Status.APPROVED

    def test_staff_comments_skip_the_hold_but_keep_the_reasons(self, submit, settings):
        settings.COMMENTS_MODERATION = "hold_all"
        staff = UserFactory(is_staff=True)
        verdict = submit(user=staff, text="Details: https://a.example https://b.example https://c.example")
        assert verdict.status == Status.APPROVED
        assert verdict.reasons == ["too_many_links"]

    def test_staff_comments_are_still_rejected(self, submit, analysis):
        staff = UserFactory(is_staff=True, email="staff@example.org")
        CommentFactory(
            target=analysis,
            user=staff,
            author_email="staff@example.org",
            text="Twice.",
            created_at=timezone.now() - timedelta(hours=1),
        )
        assert submit(user=staff, author_email="staff@example.org", text="Twice.").status == Status.REJECTED


class TestOrder:
    def test_the_first_decision_wins_and_every_reason_is_recorded(self, submit):
        BlockedTerm.objects.create(term="casino", action=BlockedTerm.Action.BLOCK)
        verdict = submit(
            honeypot="filled",
            text="casino https://a.example https://b.example https://c.example call 07700 900123",
        )
        assert verdict.status == Status.SPAM
        assert verdict.reasons == [
            "honeypot",
            "blocked_term:casino",
            "too_many_links",
            "personal_data_phone",
            "new_commenter",
        ]

    def test_a_hold_before_a_rejection_holds(self, submit, analysis, trusted):
        CommentFactory(
            target=analysis,
            author_email="ada@example.org",
            text="https://a https://b https://c",
            created_at=timezone.now() - timedelta(hours=1),
        )
        verdict = submit(text="https://a https://b https://c")
        assert verdict.reasons == ["too_many_links", "duplicate"]
        assert verdict.status == Status.PENDING

    def test_a_refusal_stops_before_anything_else(self, submit, analysis):
        analysis.comments_open = False
        verdict = submit(honeypot="filled")
        assert verdict.refused
        assert verdict.reasons == []

    def test_the_checks_run_in_the_documented_order(self):
        assert [check.__name__ for check in pipeline.CHECKS] == [
            "check_discussion_open",
            "check_honeypot",
            "check_too_fast",
            "check_rate_limit",
            "check_bans",
            "check_terms",
            "check_links",
            "check_personal_data",
            "check_duplicate",
            "check_new_commenter",
            "check_moderation_mode",
        ]


@pytest.mark.parametrize(
    ("reasons", "status"),
    [
        ([], Status.APPROVED),
        (["new_commenter"], Status.PENDING),
        (["honeypot", "new_commenter"], Status.SPAM),
        (["blocked_term:x"], Status.REJECTED),
    ],
)
def test_status_for_follows_the_first_reason(reasons, status):
    assert pipeline.status_for(reasons) == status


def test_reason_labels_read_well_for_staff():
    assert pipeline.reason_label("blocked_term:viagra") == "Contains a blocked term (viagra)"
    assert pipeline.reason_label("personal_data_phone") == "Contains a UK phone number"
