"""Appeals and moderators' notes in the API: shapes and thin views over
``moderation.appeals`` and ``moderation.notes``.

An appeal is seen by its author and by the moderators of its journal; what the
author sees leaves out who decided and the moderators' notes for the log.
Notes are seen only by the journal's moderators: another journal's, like a
missing one, is a 404.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.errors import Conflict, Refused, error_responses
from journal.api.parsers import no_body
from journal.api.serializers import StrictInput, StrictIntegerField, TextField
from journal.models import Journal

from .. import appeals, notes, services
from ..models import Appeal, AuthorRestriction

DECISION_ACTIONS = (*appeals.COMMENT_DECISIONS, *appeals.RESTRICTION_DECISIONS)


# Shapes -----------------------------------------------------------------------------


class AppealDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The decision's entry in the audit log.")
    action = serializers.ChoiceField(choices=DECISION_ACTIONS)
    created = serializers.DateTimeField()
    told = serializers.CharField(
        help_text=(
            "What the author was told of it: a rejection's reason and note, the "
            "strike ladder's sentence; empty otherwise."
        )
    )
    by = serializers.CharField(
        allow_null=True,
        help_text=(
            "Who decided (empty for the system). Null unless you moderate the journal."
        ),
    )
    reason = serializers.CharField(
        allow_null=True, help_text="Null unless you moderate the journal."
    )
    note = serializers.CharField(
        allow_null=True,
        help_text="The decision's note, for the log. Null unless you moderate it.",
    )


class AppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    journal = serializers.CharField(source="journal.name")
    author = serializers.CharField(source="author.username")
    comment = serializers.IntegerField(source="comment_id", allow_null=True)
    decision = serializers.SerializerMethodField()
    text = serializers.CharField()
    state = serializers.ChoiceField(choices=Appeal.State.choices)
    created = serializers.DateTimeField(source="created_at")
    decided = serializers.DateTimeField(source="decided_at", allow_null=True)
    answer = serializers.CharField(
        help_text="The deciding moderator's sentence for the author."
    )
    decided_by = serializers.SerializerMethodField()
    may_decide = serializers.SerializerMethodField()

    def _moderates(self, appeal: Appeal) -> bool:
        return appeal.journal_id in self.context.get("moderated", ())

    @extend_schema_field(AppealDecisionSerializer)
    def get_decision(self, appeal: Appeal) -> dict:
        decision = appeal.decision
        moderates = self._moderates(appeal)
        return {
            "id": decision.pk,
            "action": decision.action,
            "created": decision.created_at,
            "told": appeals.Standing(decision, appeal, None).told,
            "by": decision.actor_name if moderates else None,
            "reason": decision.reason if moderates else None,
            "note": decision.note if moderates else None,
        }

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text="Who answered. Null until then, and unless you moderate it.",
        )
    )
    def get_decided_by(self, appeal: Appeal) -> str | None:
        if not self._moderates(appeal) or appeal.state == Appeal.State.OPEN:
            return None
        return appeal.decided_by_name

    @extend_schema_field(
        serializers.BooleanField(
            help_text=(
                "Whether you may answer it: open, in a journal you moderate, and "
                "not your own decision (unless nobody else moderates it)."
            )
        )
    )
    def get_may_decide(self, appeal: Appeal) -> bool:
        if not self._moderates(appeal) or appeal.state != Appeal.State.OPEN:
            return False
        team = self.context["teams"].get(appeal.journal_id, frozenset())
        return appeals.may_decide(appeal, self.context["request"].user, team)


class CommentAppealSerializer(StrictInput, serializers.Serializer):
    """Appeal the rejection of your comment (or its marking as spam)."""

    comment = StrictIntegerField(min_value=1, max_value=2**62)
    text = TextField(
        max_length=appeals.MAX_LENGTH,
        help_text="Why the decision was wrong (at most 2,000 characters).",
    )


class RestrictionAppealSerializer(StrictInput, serializers.Serializer):
    """Appeal your ban or screening in a journal."""

    journal = TextField(max_length=30, trim_whitespace=False)
    restriction = serializers.ChoiceField(choices=AuthorRestriction.Kind.choices)
    text = TextField(
        max_length=appeals.MAX_LENGTH,
        help_text="Why the decision was wrong (at most 2,000 characters).",
    )


def _appeal_request(data) -> dict:
    """The request's shape by its fields: a comment, or a journal's restriction;
    any other field is an error (the shapes refuse unknown fields)."""
    shape = (
        CommentAppealSerializer
        if isinstance(data, dict) and "comment" in data
        else RestrictionAppealSerializer
    )
    incoming = shape(data=data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


class AppealDecideSerializer(StrictInput, serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["grant", "deny"])
    answer = TextField(
        max_length=appeals.MAX_LENGTH,
        help_text="A sentence for the author; they read it on the page and by mail.",
    )


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    journal = serializers.CharField(source="journal.name")
    author = serializers.CharField(source="author.username")
    author_name = serializers.CharField(source="author.public_name")
    text = serializers.CharField()
    written_by = serializers.CharField(
        source="written_by_name", help_text="Kept even if the account goes."
    )
    created = serializers.DateTimeField(source="created_at")
    retired = serializers.DateTimeField(source="retired_at", allow_null=True)


class NoteRequestSerializer(StrictInput, serializers.Serializer):
    journal = TextField(max_length=30, trim_whitespace=False)
    author = TextField(max_length=150, trim_whitespace=False, help_text="A username.")
    text = TextField(max_length=notes.MAX_LENGTH)


# Views ------------------------------------------------------------------------------


def _refused(refusal: services.NotAllowed):
    """A refusal by a rule (403), or because of how things stand (409)."""
    if refusal.code in appeals.CONFLICTS:
        return Conflict(detail=refusal.message, code=refusal.code)
    return Refused(code=refusal.code, detail=refusal.message)


def _context(request, appeals_shown) -> dict:
    moderated = set(
        Journal.objects.moderated_by(request.user).values_list("pk", flat=True)
    )
    journal_ids = {appeal.journal_id for appeal in appeals_shown} & moderated
    return {
        "request": request,
        "moderated": moderated,
        "teams": appeals.teams(journal_ids) if journal_ids else {},
    }


class AppealFilter(django_filters.FilterSet):
    journal = django_filters.CharFilter(field_name="journal__name")
    state = django_filters.ChoiceFilter(choices=Appeal.State.choices)

    class Meta:
        model = Appeal
        fields = ["journal", "state"]


class AppealsView(generics.ListAPIView):
    """Your own appeals, and those in the journals you moderate."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AppealSerializer
    filterset_class = AppealFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Appeal.objects.none()
        user = self.request.user
        return (
            Appeal.objects.filter(
                Q(author_id=user.pk) | Q(journal__in=Journal.objects.moderated_by(user))
            )
            .select_related("journal", "author", "decision")
            .order_by("-id")
        )

    def get_serializer(self, *args, **kwargs):
        shown = args[0] if args else []
        kwargs["context"] = _context(self.request, shown)
        return self.serializer_class(*args, **kwargs)

    @extend_schema(
        tags=["moderation"],
        summary="Your appeals, and the appeals in the journals you moderate",
        responses={
            200: AppealSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["moderation"],
        summary="Appeal a decision about you, once, within the journal's days",
        description=(
            "Give `comment` (your rejected comment, or one marked as spam), or "
            "`journal` and `restriction` (your ban or screening there). 404 for "
            "a comment that is not yours; 403 when nothing stands to appeal, "
            "the journal takes no appeals (`appeal.off`) or its days are over "
            "(`appeal.too_late`); 409 for a second appeal (`appeal.duplicate`) "
            "or a decision already undone (`appeal.undone`)."
        ),
        request=PolymorphicProxySerializer(
            component_name="AppealRequest",
            serializers=[CommentAppealSerializer, RestrictionAppealSerializer],
            resource_type_field_name=None,
        ),
        responses={
            201: AppealSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request):
        data = _appeal_request(request.data)
        journal = None
        if "journal" in data:
            journal = Journal.objects.filter(name=data["journal"]).first()
            if journal is None:
                raise NotFound()
        try:
            appeal = appeals.file_appeal(
                author=request.user,
                text=data["text"],
                comment_id=data.get("comment"),
                journal=journal,
                restriction=data.get("restriction", ""),
            )
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            raise _refused(refusal) from refusal
        appeal = Appeal.objects.select_related("journal", "author", "decision").get(
            pk=appeal.pk
        )
        return Response(
            AppealSerializer(appeal, context=_context(request, [appeal])).data,
            status=status.HTTP_201_CREATED,
        )


class DecideAppealView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="Grant or deny an appeal, with a sentence for its author",
        description=(
            "Granting undoes the decision (whatever its age) and publishes a "
            "comment that waits again because of it. Audited as `appeal.grant` "
            "or `appeal.deny`; the author is mailed the answer. 403 "
            "(`appeal.own_decision`) for the moderator who made the decision, "
            "where the journal has another; 409 when already answered "
            "(`appeal.decided`) or the decision changed since (`undo.changed`)."
        ),
        request=AppealDecideSerializer,
        responses={200: AppealSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, appeal_id: int):
        incoming = AppealDecideSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            appeal = appeals.decide_appeal(
                moderator=request.user,
                appeal_id=appeal_id,
                grant=data["outcome"] == "grant",
                answer=data["answer"],
            )
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            raise _refused(refusal) from refusal
        appeal = Appeal.objects.select_related("journal", "author", "decision").get(
            pk=appeal.pk
        )
        return Response(
            AppealSerializer(appeal, context=_context(request, [appeal])).data
        )


class NotesView(APIView):
    """The moderators' private notes on authors, per journal."""

    permission_classes = [permissions.IsAuthenticated]

    @staticmethod
    def _journal(user, name: str) -> Journal:
        journal = Journal.objects.moderated_by(user).filter(name=name).first()
        if journal is None:
            raise NotFound()
        return journal

    @staticmethod
    def _person(username: str):
        person = get_user_model().objects.filter(username=username).first()
        if person is None:
            raise NotFound(_("No account has this username."))
        return person

    @extend_schema(
        tags=["moderation"],
        summary="The notes in force on authors in a journal you moderate",
        description="Taken-back notes are left out (they stay in the admin).",
        parameters=[
            OpenApiParameter("journal", str, required=True),
            OpenApiParameter("author", str, description="A username."),
        ],
        responses={200: NoteSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        if "journal" not in request.query_params:
            raise ValidationError({"journal": [_("Name the journal.")]})
        name = request.query_params["journal"]
        found = notes.notes_moderated_by(request.user).filter(
            journal=self._journal(request.user, name), retired_at__isnull=True
        )
        if "author" in request.query_params:
            found = found.filter(author=self._person(request.query_params["author"]))
        found = found.select_related("journal", "author").order_by("-created_at", "-id")
        return Response(NoteSerializer(found[:500], many=True).data)

    @extend_schema(
        tags=["moderation"],
        summary="Write a private note on an author (dated and signed; audited)",
        request=NoteRequestSerializer,
        responses={201: NoteSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request):
        incoming = NoteRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        journal = self._journal(request.user, data["journal"])
        try:
            note = notes.write_note(
                moderator=request.user,
                journal=journal,
                author=self._person(data["author"]),
                text=data["text"],
            )
        except services.NotFound as missing:
            raise NotFound() from missing
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class RetireNoteView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="Take a note back (the row stays; audited)",
        request=None,
        responses={200: NoteSerializer, **error_responses(401, 404, 409)},
    )
    def post(self, request, note_id: int):
        no_body(request)
        try:
            note = notes.retire_note(moderator=request.user, note_id=note_id)
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(NoteSerializer(note).data)
