"""Shapes of the moderation API. Explicit fields; the strict input types and
the comment shapes come from the platform's API (``journal.api.serializers``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
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

from ..forms import validate_word_phrase
from ..models import (
    RULE_SETTING_FIELDS,
    AuditEntry,
    AuthorRestriction,
    ReportReason,
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
