"""Shapes of the moderation API. Explicit fields; the strict input types and
the comment shapes come from the platform's API (``journal.api.serializers``)."""

from __future__ import annotations

import re
from datetime import time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from journal.api.serializers import (
    PersonSerializer,
    ReasonSerializer,
    StrictInput,
    StrictIntegerField,
    TextField,
)
from journal.models import CommentState, Journal

from .. import backtest
from ..forms import validate_word_phrase
from ..models import (
    RULE_SETTING_FIELDS,
    AuditEntry,
    AuthorRestriction,
    Backtest,
    HeatScreening,
    ReportReason,
    ScheduledMode,
    ShadowRuleSet,
    WordRule,
)
from ..words import entry_key


class AuthorRecordSerializer(serializers.Serializer):
    published = serializers.IntegerField()
    rejected = serializers.IntegerField()
    spam = serializers.IntegerField()
    first_comment = serializers.DateTimeField(allow_null=True)
    banned = serializers.BooleanField()
    screened = serializers.BooleanField()
    approved = serializers.IntegerField(
        help_text="Published comments here that a moderator approved."
    )
    standing = serializers.IntegerField(
        help_text=(
            "Published comments that stood the journal's number of days "
            "unchallenged (they count towards trust only where it is set)."
        )
    )
    trusted = serializers.BooleanField(
        help_text="Whether these earn the author trust in this journal now."
    )
    strikes = serializers.IntegerField(
        help_text=(
            "Rejections and spam decisions within the journal's strike window "
            "(undone ones do not count)."
        )
    )


class ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["same", "removed", "added"])
    text = serializers.CharField()


class OpenReportSerializer(serializers.Serializer):
    reason = serializers.CharField()
    note = serializers.CharField()
    reporter = serializers.CharField(source="reporter.public_name")
    weight = serializers.FloatField(
        help_text=(
            "What the report weighs: 1, more when the reader's reports in this "
            "journal were upheld, 0 when they are always dismissed."
        )
    )
    created = serializers.DateTimeField(source="created_at")


class ClaimSerializer(serializers.Serializer):
    comment = serializers.IntegerField(source="comment_id")
    moderator = serializers.IntegerField(source="moderator_id")
    name = serializers.CharField(help_text="The moderator's name as others see it.")
    until = serializers.DateTimeField(help_text="When the claim lapses on its own.")


class ShadowVerdictSerializer(serializers.Serializer):
    """What a shadow rule set would have done with a comment (moderation.shadows)."""

    shadow = serializers.IntegerField(source="shadow_id")
    comment = serializers.IntegerField(source="comment_id")
    live_action = serializers.ChoiceField(choices=["publish", "hold"])
    shadow_action = serializers.ChoiceField(choices=["publish", "hold", "refuse"])
    reasons = ReasonSerializer(many=True, help_text="Why the shadow decided so.")
    created = serializers.DateTimeField(source="created_at")


class QueueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    journal = serializers.CharField(source="journal.name")
    post = serializers.IntegerField(source="post_id")
    post_title = serializers.CharField(source="post.title")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    parent_body_html = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    author_name = serializers.CharField(source="author_label")
    subject = serializers.CharField()
    body_html = serializers.CharField()
    created = serializers.DateTimeField(source="created_at")
    state = serializers.CharField()
    revision = serializers.IntegerField()
    approved_revision = serializers.IntegerField(
        allow_null=True, help_text="The revision a moderator approved, if any."
    )
    changes_since_approval = ChangeSerializer(
        many=True,
        allow_null=True,
        help_text=(
            "For a comment edited after its approval: the text as approved "
            "against the text now, word by word."
        ),
    )
    reasons = ReasonSerializer(many=True)
    ip_address = serializers.CharField(allow_null=True)
    author_record = AuthorRecordSerializer(allow_null=True)
    reports = serializers.SerializerMethodField()
    report_weight = serializers.SerializerMethodField()
    shadow = serializers.SerializerMethodField(
        help_text=(
            "Where the journal's running shadow rule set would have decided this "
            "comment otherwise than the live rules did: its verdict; else null."
        )
    )
    claims = serializers.SerializerMethodField(
        help_text=(
            "Moderators looking at this comment now (claims lapse after a few "
            "minutes; they inform and never block a decision). Empty where the "
            "journal's owner turned claims off."
        )
    )

    @extend_schema_field(ClaimSerializer(many=True))
    def get_claims(self, comment):
        return ClaimSerializer(getattr(comment, "claims", []), many=True).data

    @extend_schema_field(serializers.FloatField())
    def get_report_weight(self, comment) -> float:
        """The open reports' total weight (the reported tab sorts by it)."""
        return sum(report.weight for report in getattr(comment, "open_reports", []))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent_body_html(self, comment):
        parent = comment.parent
        if parent is None or parent.state != CommentState.PUBLISHED:
            return None
        return parent.body_html

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, comment):
        return PersonSerializer(comment.author).data if comment.author else None

    @extend_schema_field(OpenReportSerializer(many=True))
    def get_reports(self, comment):
        return OpenReportSerializer(
            getattr(comment, "open_reports", []), many=True
        ).data

    @extend_schema_field(ShadowVerdictSerializer(allow_null=True))
    def get_shadow(self, comment):
        verdict = getattr(comment, "shadow_verdict", None)
        return ShadowVerdictSerializer(verdict).data if verdict else None

    def to_representation(self, comment):
        comment.author_record = getattr(comment, "author_record", None)
        return super().to_representation(comment)


class ClaimRequestSerializer(StrictInput, serializers.Serializer):
    comment = StrictIntegerField(min_value=1, max_value=2**62)


class QueuePageSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = QueueItemSerializer(many=True)


class SeenSerializer(StrictInput, serializers.Serializer):
    comment = StrictIntegerField(min_value=1, max_value=2**62)
    state_seen = serializers.ChoiceField(choices=CommentState.choices)
    revision_seen = StrictIntegerField(min_value=1, max_value=2**31)


class BanSerializer(StrictInput, serializers.Serializer):
    until = serializers.DateTimeField(required=False, allow_null=True)


class DecisionRequestSerializer(StrictInput, serializers.Serializer):
    items = SeenSerializer(
        many=True,
        allow_empty=False,
        max_length=10_000,
        help_text="A comment listed twice is decided once, by its first item.",
    )
    action = serializers.ChoiceField(choices=["approve", "reject", "spam"])
    reason = serializers.ChoiceField(
        choices=ReportReason.choices,
        required=False,
        help_text=(
            "Why a comment is rejected (shown to its author); `other` when left "
            "out. Approvals and spam are recorded without one."
        ),
    )
    note = TextField(required=False, allow_blank=True, default="", max_length=2000)
    ban = BanSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="With action spam: also ban the authors.",
    )

    def validate(self, data):
        data = super().validate(data)
        reject = data["action"] == "reject"
        data["reason"] = data.get("reason", ReportReason.OTHER) if reject else ""
        return data


class OutcomeSerializer(serializers.Serializer):
    comment = serializers.IntegerField()
    status = serializers.IntegerField(help_text="200 when done, 409 when not.")
    code = serializers.ChoiceField(choices=["done", "already_decided", "edited"])
    detail = serializers.CharField()


class DecisionResultSerializer(serializers.Serializer):
    outcomes = OutcomeSerializer(many=True)


class AuditEntrySerializer(serializers.ModelSerializer):
    journal = serializers.CharField(source="journal.name")
    actor = serializers.CharField(source="actor_name")
    comment = serializers.IntegerField(source="comment_id", allow_null=True)
    rule_set_version = serializers.IntegerField(
        source="rule_set_version_id", allow_null=True
    )
    undoes = serializers.IntegerField(source="undoes_id", allow_null=True)
    created = serializers.DateTimeField(source="created_at")

    class Meta:
        model = AuditEntry
        fields = (
            "id", "journal", "actor", "action", "comment", "target", "from_state",
            "to_state", "reason", "note", "data", "rule_set_version", "undoes",
            "created",
        )  # fmt: skip


class DismissalRequestSerializer(StrictInput, serializers.Serializer):
    comments = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=2**62),
        allow_empty=False,
        max_length=10_000,
        help_text="Comments whose open reports to close.",
    )
    note = TextField(required=False, allow_blank=True, default="", max_length=2000)


class DismissalResultSerializer(serializers.Serializer):
    dismissed = serializers.IntegerField(help_text="Reports closed.")


class RestrictionSerializer(serializers.ModelSerializer):
    journal = serializers.CharField(source="journal.name")
    username = serializers.CharField(source="user.username")
    active = serializers.BooleanField(source="is_active")
    created_by = serializers.SerializerMethodField()
    created = serializers.DateTimeField(source="created_at")

    class Meta:
        model = AuthorRestriction
        fields = (
            "id", "journal", "username", "kind", "until", "reason", "active",
            "created_by", "created",
        )  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, restriction):
        by = restriction.created_by
        return by.get_username() if by else None


class RestrictionRequestSerializer(StrictInput, serializers.Serializer):
    journal = TextField(max_length=30, trim_whitespace=False)
    username = TextField(max_length=150, trim_whitespace=False)
    kind = serializers.ChoiceField(choices=AuthorRestriction.Kind.choices)
    until = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Empty: no end date."
    )
    reason = TextField(required=False, allow_blank=True, default="", max_length=200)


class ChallengeSerializer(serializers.Serializer):
    challenge = serializers.CharField(
        help_text="Send it back as `challenge` with one anonymous comment."
    )
    post = serializers.IntegerField()
    wait_seconds = serializers.IntegerField(
        help_text="Posting sooner than this after fetching is refused."
    )
    expires_in = serializers.IntegerField(help_text="Seconds it stays good for.")


class FlagSerializer(StrictInput, serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    note = TextField(allow_blank=True, required=False, default="", max_length=500)


class FlagResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    comment = serializers.IntegerField(source="comment_id")
    reason = serializers.CharField()
    created = serializers.DateTimeField(source="created_at")


class ThreadScopeSerializer(serializers.Serializer):
    comment = serializers.IntegerField(source="comment.pk")
    comments = serializers.IntegerField()
    authors = serializers.IntegerField()
    removable = serializers.IntegerField()


class WordSerializer(StrictInput, serializers.ModelSerializer):
    class Meta:
        model = WordRule
        fields = ("phrase", "kind", "substring")
        # Uniqueness is per journal; the settings serializer checks duplicates.
        extra_kwargs = {"phrase": {"validators": []}}


class SettingsSerializer(StrictInput, serializers.ModelSerializer):
    words = WordSerializer(many=True, required=False, source="word_rules")
    rule_set_version = serializers.SerializerMethodField()

    class Meta:
        model = Journal
        fields = (*RULE_SETTING_FIELDS, "words", "rule_set_version")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_rule_set_version(self, journal: Journal):
        latest = journal.rule_set_versions.order_by("-number").first()
        return latest.number if latest else None

    def to_representation(self, journal):
        data = super().to_representation(journal)
        # Only the entries in force; retired ones stay in the rule-set history.
        data["words"] = WordSerializer(journal.word_rules.active(), many=True).data
        return data

    def validate_words(self, words):
        # A PATCH is partial, and DRF lets that reach the nested entries too.
        if any("phrase" not in word or "kind" not in word for word in words):
            raise serializers.ValidationError(
                _("Each entry needs a phrase and a kind.")
            )
        for word in words:
            try:
                validate_word_phrase(word["phrase"])
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from error
        keys = [entry_key(word["phrase"]) for word in words]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError(
                _(
                    "Each word or phrase may appear once (as written, or looking "
                    "the same)."
                )
            )
        return words


# Shadow rule sets ---------------------------------------------------------------


class ShadowRequestSerializer(SettingsSerializer):
    """The settings body, taken as a proposal: nothing is saved but the shadow."""

    name = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=80,
        help_text="A name for the proposal, such as “Stricter links”.",
    )

    class Meta(SettingsSerializer.Meta):
        fields = (*SettingsSerializer.Meta.fields, "name")


class ShadowActionSerializer(StrictInput, serializers.Serializer):
    shadow = StrictIntegerField(
        min_value=1,
        max_value=2**62,
        help_text=(
            "The id of the shadow rule set you mean: if another was started since "
            "you looked, nothing is done (404, or 409 once it has ended)."
        ),
    )


class ShadowTotalsSerializer(serializers.Serializer):
    judged = serializers.IntegerField(
        help_text="Comments the shadow judged beside live (new and edited)."
    )
    disagreed = serializers.IntegerField(
        help_text="Those it would have decided otherwise."
    )
    publish_hold = serializers.IntegerField(
        help_text="Live published them; the shadow would have held them."
    )
    hold_publish = serializers.IntegerField(
        help_text="Live held them; the shadow would have published them."
    )
    refuse = serializers.IntegerField(help_text="The shadow would have refused them.")


class ShadowDaySerializer(ShadowTotalsSerializer):
    day = serializers.DateField()


class ShadowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="shadow.pk")
    name = serializers.CharField(source="shadow.name")
    state = serializers.ChoiceField(
        source="shadow.state", choices=ShadowRuleSet.State.choices
    )
    created = serializers.DateTimeField(source="shadow.created_at")
    created_by = serializers.CharField(source="shadow.created_by_name")
    ended = serializers.DateTimeField(source="shadow.ended_at", allow_null=True)
    promoted_to = serializers.SerializerMethodField(
        help_text="The rule-set version it became, once promoted."
    )
    rules = serializers.SerializerMethodField(
        help_text=(
            "The proposed rules, in the layout of a rule-set version (for the "
            "owner; null for moderators, who do not see the journal's settings)."
        )
    )
    changes = serializers.SerializerMethodField(
        help_text=(
            "What it would change in the live rules now: {name: [live, shadow]} "
            "(for the owner; null for moderators)."
        )
    )
    days = ShadowDaySerializer(
        many=True, help_text="The last 14 days, today first (the server's time zone)."
    )
    totals = ShadowTotalsSerializer()
    disagreements = ShadowVerdictSerializer(
        many=True, source="sample", help_text="The latest comments it disagrees on."
    )

    def _owner(self) -> bool:
        return bool(self.context.get("owner"))

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_rules(self, summary):
        return summary.shadow.snapshot if self._owner() else None

    @extend_schema_field(
        serializers.DictField(child=serializers.ListField(), allow_null=True)
    )
    def get_changes(self, summary):
        return summary.changes if self._owner() else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_promoted_to(self, summary):
        version = summary.shadow.promoted_to
        return version.number if version else None


# Scheduled modes and heat -------------------------------------------------------

# A clock time of day, as the journal's own clock reads it: "22:00" or "22:00:30".
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": CLOCK, "example": "22:00"})
class ClockField(serializers.TimeField):
    """A time of day as "HH:MM" or "HH:MM:SS", in the journal's own clock, and
    nothing else (no offset: the journal's time zone says which)."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(CLOCK, value):
            self.fail("invalid", format="HH:MM")
        return time.fromisoformat(value)


class ScheduledModeSerializer(serializers.ModelSerializer):
    starts_at = serializers.TimeField(
        help_text="When it opens, by the journal's own clock (time_zone)."
    )
    ends_at = serializers.TimeField(help_text="When it closes, by the same clock.")
    created = serializers.DateTimeField(source="created_at")
    retired = serializers.DateTimeField(source="retired_at", allow_null=True)

    class Meta:
        model = ScheduledMode
        fields = (
            "id", "name", "mode", "days", "starts_at", "ends_at", "ends_after_days",
            "rate_per_minute", "created", "retired",
        )  # fmt: skip
        extra_kwargs = {
            "days": {
                "help_text": (
                    "The weekdays it opens on, as digits: 0 is Monday, 6 is Sunday."
                )
            },
            "ends_after_days": {
                "help_text": (
                    "It closes that many days after it opens; 0: later the same "
                    "day, or the next morning when ends_at is not after starts_at."
                )
            },
        }


class _WindowRequest(StrictInput, serializers.Serializer):
    name = TextField(
        max_length=60, help_text="Shown to readers and in the reasons, such as “Night”."
    )
    days = TextField(
        max_length=7,
        default="0123456",
        help_text=(
            "The weekdays it opens on, as digits: 0 is Monday, 6 is Sunday "
            '("4": Fridays). Each counts once, in any order.'
        ),
    )
    starts_at = ClockField(help_text="When it opens, by the journal's own clock.")
    ends_at = ClockField(
        help_text=(
            "When it closes, by the same clock: later the same day, or the next "
            "morning when it is not after starts_at (unless ends_after_days says)."
        )
    )
    ends_after_days = StrictIntegerField(
        min_value=0,
        max_value=ScheduledMode.LONGEST_DAYS,
        default=0,
        help_text="Closes that many days after it opens (Fri 22:00 – Mon 07:00: 3).",
    )


class ScreenWindowRequestSerializer(_WindowRequest):
    """A window in which every comment, but a moderator's, waits for a moderator."""

    mode = serializers.ChoiceField(choices=[ScheduledMode.Mode.SCREEN])


class RateWindowRequestSerializer(_WindowRequest):
    """A window with a stricter rate limit per author."""

    mode = serializers.ChoiceField(choices=[ScheduledMode.Mode.RATE])
    rate_per_minute = StrictIntegerField(
        min_value=1,
        max_value=1000,
        help_text="Comments a minute each author may post while it is open.",
    )


WINDOW_REQUESTS = {
    ScheduledMode.Mode.SCREEN: ScreenWindowRequestSerializer,
    ScheduledMode.Mode.RATE: RateWindowRequestSerializer,
}


class HeatScreeningSerializer(serializers.ModelSerializer):
    journal = serializers.CharField(source="journal.name")
    thread = serializers.IntegerField(
        source="thread_id",
        help_text="The top-level comment whose sub-thread is screened.",
    )
    post = serializers.IntegerField(source="thread.post_id")
    replies = serializers.IntegerField(help_text="Replies that tripped it…")
    minutes = serializers.IntegerField(help_text="…within this many minutes.")
    started = serializers.DateTimeField(source="started_at")
    until = serializers.DateTimeField(help_text="When it ends on its own.")
    lifted = serializers.DateTimeField(source="lifted_at", allow_null=True)
    lifted_by = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = HeatScreening
        fields = (
            "id", "journal", "thread", "post", "replies", "minutes", "started",
            "until", "lifted", "lifted_by", "active",
        )  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_lifted_by(self, screening):
        by = screening.lifted_by
        return by.get_username() if by else None

    @extend_schema_field(serializers.BooleanField())
    def get_active(self, screening) -> bool:
        return screening.lifted_at is None and screening.until > timezone.now()


# Backtests ------------------------------------------------------------------------


class BacktestRequestSerializer(SettingsSerializer):
    """The settings body, taken as a proposal to replay: nothing is saved."""

    limit = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=backtest.MAX_LIMIT,
        help_text=(
            f"How many of the journal's last comments to replay, newest first "
            f"(default {backtest.DEFAULT_LIMIT:,}, at most {backtest.MAX_LIMIT:,})."
        ),
    )

    class Meta(SettingsSerializer.Meta):
        fields = (*SettingsSerializer.Meta.fields, "limit")


VERDICTS = ["publish", "hold", "refuse"]


class BacktestSampleSerializer(serializers.Serializer):
    comment = serializers.IntegerField()
    post = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(
        choices=CommentState.choices, help_text="The comment's state now."
    )
    before = serializers.ChoiceField(
        choices=VERDICTS, help_text="The verdict under the rules it was judged under."
    )
    after = serializers.ChoiceField(
        choices=VERDICTS, help_text="The verdict under the proposal."
    )
    codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="The rule codes that make the difference.",
    )
    author = serializers.CharField(help_text="The name shown with it then.")
    excerpt = serializers.CharField(allow_null=True)


class BacktestChangesSerializer(serializers.Serializer):
    publish_to_hold = serializers.IntegerField(
        help_text="Published under the rules then, held under the proposal."
    )
    hold_to_publish = serializers.IntegerField(
        help_text="Held under the rules then, published under the proposal."
    )
    to_refuse = serializers.IntegerField(help_text="Refused under the proposal.")
    from_refuse = serializers.IntegerField(
        help_text=(
            "Refused by the rules then as today's code reads them, let through by "
            "the proposal (only when the rules' code changed since)."
        )
    )


class BacktestSamplesSerializer(serializers.Serializer):
    publish_to_hold = BacktestSampleSerializer(many=True)
    hold_to_publish = BacktestSampleSerializer(many=True)
    to_refuse = BacktestSampleSerializer(many=True)
    from_refuse = BacktestSampleSerializer(many=True)


class BacktestAgreementSerializer(serializers.Serializer):
    rejected = serializers.IntegerField(
        help_text="Comments moderators rejected or marked as spam."
    )
    rejected_held = serializers.IntegerField(
        help_text="Of those, how many the proposal would have held (or refused)."
    )
    rejected_held_before = serializers.IntegerField(
        help_text="Of those, how many the rules then held (or refused)."
    )
    approved = serializers.IntegerField(
        help_text="Comments moderators approved (as they read now)."
    )
    approved_held = serializers.IntegerField(
        help_text="Of those, how many the proposal would have held needlessly."
    )
    approved_held_before = serializers.IntegerField(
        help_text="Of those, how many the rules then held."
    )


class BacktestResultSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    read = serializers.IntegerField(help_text="Comments read, newest first.")
    replayed = serializers.IntegerField(
        help_text="Those replayed from the facts they were judged on."
    )
    skipped = serializers.IntegerField(
        help_text="Those judged before facts were kept, or imported: left out."
    )
    unchanged = serializers.IntegerField()
    changes = BacktestChangesSerializer()
    samples = BacktestSamplesSerializer(
        help_text="Up to 10 examples of each kind of change, newest first."
    )
    agreement = BacktestAgreementSerializer()
    seconds = serializers.FloatField(help_text="How long the replay took.")


class BacktestSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="Null for a replay short enough to answer at once."
    )
    url = serializers.CharField(
        allow_null=True, help_text="Where to follow a queued backtest."
    )
    state = serializers.ChoiceField(choices=Backtest.State.choices)
    limit = serializers.IntegerField()
    done = serializers.IntegerField(help_text="Comments replayed so far.")
    total = serializers.IntegerField(help_text="Comments to replay (0: not known yet).")
    result = BacktestResultSerializer(
        allow_null=True, help_text="Once done; null while it waits or runs."
    )
    created = serializers.DateTimeField(allow_null=True)
    finished = serializers.DateTimeField(allow_null=True)
