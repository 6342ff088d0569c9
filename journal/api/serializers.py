"""API shapes. Explicit fields only; input and output serializers are separate
where the shapes differ. No rule lives here: writes go through the services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from journal.models import Comment, Journal, Post, Tag
from journal.sentences import reason_text
from journal.validators import validate_name


class TextField(serializers.CharField):
    """A string and only a string: 12 or true is an error, not "12" or "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and only that: "3", 3.0 and true are errors, as the schema
    says, not quietly converted."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, not "yes" or 1."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictInput:
    """Names fields it does not know instead of silently dropping them (a typo
    in a client should not lose data), nested objects included. The schema says
    so with ``additionalProperties: false`` (journal.api.schema)."""

    # Model fields become strict fields too (ModelSerializer's mapping).
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field.")] for name in unknown}
                )
        return super().to_internal_value(data)


class PersonSerializer(serializers.Serializer):
    display_name = serializers.CharField(source="public_name")
    userpic_url = serializers.CharField()


class JournalSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Journal
        fields = ("name", "title", "description", "owner", "comment_access", "url")


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("name", "slug")


class PostSerializer(serializers.ModelSerializer):
    journal = serializers.CharField(source="journal.name")
    tags = TagSerializer(many=True)
    published = serializers.DateTimeField(source="published_at")
    comment_count = serializers.IntegerField()
    url = serializers.CharField(source="get_absolute_url")
    body_html = serializers.CharField(help_text="The stored sanitized HTML.")

    class Meta:
        model = Post
        fields = (
            "id", "journal", "title", "body_html", "tags", "published",
            "comments_enabled", "comment_count", "url",
        )  # fmt: skip


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    action = serializers.ChoiceField(choices=["publish", "hold", "refuse"])
    message = serializers.CharField()
    matched = serializers.CharField(required=False)
    entry = serializers.CharField(required=False)


class CommentSerializer(serializers.Serializer):
    """One comment in display order.

    Comments the caller may not read come as placeholders: no author, subject or
    body, and ``placeholder`` says why. ``state``, ``revision`` and ``reasons``
    are filled in only for the comment's author and the journal's moderators.
    """

    id = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    created = serializers.DateTimeField(source="created_at")
    edited = serializers.DateTimeField(source="edited_at", allow_null=True)
    frozen = serializers.BooleanField()
    placeholder = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    revision = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_url(self, comment: Comment) -> str:
        # Built from the post's address when the view knows it: no query each.
        post_url = self.context.get("post_url")
        if post_url is None:
            return comment.get_absolute_url()
        return f"{post_url}?thread={comment.pk}#t{comment.pk}"

    def _readable(self, comment: Comment) -> bool:
        return getattr(comment, "readable", True)

    def _insider(self, comment: Comment) -> bool:
        viewer = self.context["request"].user
        return viewer.is_authenticated and (
            comment.author_id == viewer.pk
            or comment.journal_id in self.context.get("moderated_journal_ids", ())
        )

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, comment: Comment):
        if not self._readable(comment) or comment.author is None:
            return None
        return PersonSerializer(comment.author).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author_name(self, comment: Comment):
        if not self._readable(comment):
            return None
        return comment.author_label

    @extend_schema_field(serializers.CharField())
    def get_subject(self, comment: Comment) -> str:
        return comment.subject if self._readable(comment) else ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body_html(self, comment: Comment):
        return comment.body_html if self._readable(comment) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_placeholder(self, comment: Comment):
        return None if self._readable(comment) else comment.placeholder_label

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_state(self, comment: Comment):
        return comment.state if self._insider(comment) else None

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True,
            help_text=(
                "For its author and the journal's moderators: the revision a "
                "decision must name (`revision_seen`)."
            ),
        )
    )
    def get_revision(self, comment: Comment):
        return comment.revision if self._insider(comment) else None

    @extend_schema_field(ReasonSerializer(many=True, allow_null=True))
    def get_reasons(self, comment: Comment):
        if not self._insider(comment):
            return None
        moderator = comment.journal_id in self.context.get("moderated_journal_ids", ())
        return reasons_for(comment.reasons, moderator=moderator)


# What a list entry matched, and the entry itself: for moderators only, as on
# the post page, or an author could read the journal's lists off the answers.
MODERATOR_ONLY_REASON_KEYS = ("matched", "entry")
# How a reason is kept to be worded in each reader's language
# (journal.sentences): the API gives the sentence itself, as "message".
STORED_ONLY_REASON_KEYS = ("text",)


def reasons_for(reasons: list[dict], *, moderator: bool) -> list[dict]:
    """The reasons as the API shows them: the message in the reader's
    language, the list entry to moderators only."""
    hidden = STORED_ONLY_REASON_KEYS
    if not moderator:
        hidden += MODERATOR_ONLY_REASON_KEYS
    return [
        {
            key: reason_text(reason) if key == "message" else value
            for key, value in reason.items()
            if key not in hidden
        }
        for reason in reasons
    ]


class CommentPageSerializer(serializers.Serializer):
    """Comments paginated by top-level thread, like the post page."""

    count = serializers.IntegerField(help_text="Top-level threads in all.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CommentSerializer(many=True)


class CommentCreateSerializer(StrictInput, serializers.Serializer):
    body = TextField(allow_blank=True, trim_whitespace=False)
    subject = TextField(allow_blank=True, required=False, default="")
    parent = StrictIntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**62
    )
    name = TextField(
        allow_blank=True,
        required=False,
        default="",
        max_length=50,
        validators=[validate_name],
        help_text="Shown for an anonymous comment: one line, no control characters.",
    )
    challenge = TextField(
        allow_blank=True,
        required=False,
        default="",
        max_length=500,
        # The moderation plugin's schema hook says what it must be.
        help_text="The proof an anonymous comment carries; ignored otherwise.",
    )


class CommentEditSerializer(StrictInput, serializers.Serializer):
    """What to change: the text, the subject or both; what is left out stays."""

    body = TextField(allow_blank=True, trim_whitespace=False, required=False)
    subject = TextField(allow_blank=True, required=False)

    def validate(self, data):
        data = super().validate(data)
        if not data:
            raise serializers.ValidationError(_("Send the body, the subject or both."))
        return data
