"""The moderation API: the queue, decisions, the audit log and undo; reports,
thread actions, a journal's comment rules and the anonymous author's
challenge. Thin views over ``moderation.services``."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.errors import Conflict, Refused, error_responses
from journal.api.parsers import no_body
from journal.models import Comment, Journal, Post
from journal.params import flag

from .. import antibot, queue, services
from ..models import AuditEntry, AuthorRestriction
from ..rules import FORM_MAX_SECONDS, FORM_MIN_SECONDS
from .serializers import (
    AuditEntrySerializer,
    ChallengeSerializer,
    ClaimRequestSerializer,
    ClaimSerializer,
    DecisionRequestSerializer,
    DecisionResultSerializer,
    DismissalRequestSerializer,
    DismissalResultSerializer,
    FlagResultSerializer,
    FlagSerializer,
    QueuePageSerializer,
    RestrictionRequestSerializer,
    RestrictionSerializer,
    SettingsSerializer,
    ThreadScopeSerializer,
)


class QueueView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="Held or reported comments in the journals you moderate",
        parameters=[
            OpenApiParameter("tab", str, enum=["held", "reported"]),
            OpenApiParameter("journal", str),
            OpenApiParameter("post", int),
            OpenApiParameter("rule", str),
            OpenApiParameter("author", str, description="A username."),
            OpenApiParameter("after", int, description="Keyset cursor (next page)."),
            OpenApiParameter(
                "before", int, description="Keyset cursor (previous page)."
            ),
        ],
        responses={200: QueuePageSerializer, **error_responses(401, 404)},
    )
    def get(self, request):
        params = request.query_params.copy()
        params.setdefault("tab", "held")
        if params["tab"] not in ("held", "reported"):
            raise ValidationError({"tab": [_("Use held or reported.")]})
        if params.get("rule", "") not in ("", *queue.FILTER_CODES):
            raise ValidationError({"rule": [_("Not a rule code.")]})
        try:
            page = queue.load(request.user, params)
        except Http404 as missing:
            raise NotFound() from missing
        base = request.build_absolute_uri(request.path)
        data = {
            "counts": page.tab_counts,
            "next": f"{base}?{page.next_query}" if page.has_next else None,
            "previous": f"{base}?{page.previous_query}" if page.has_previous else None,
            "results": page.items,
        }
        return Response(QueuePageSerializer(data).data)


class DecisionsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="Approve, reject or mark as spam, one or many comments",
        description=(
            "Each item says which state and revision you saw. Comments that "
            "changed since are left alone; their outcome has status 409 and says "
            "who decided and when. Any comment outside your journals makes the "
            "whole request a 404."
        ),
        request=DecisionRequestSerializer,
        responses={
            200: DecisionResultSerializer,
            **error_responses(400, 401, 404, 409),
        },
    )
    def post(self, request):
        incoming = DecisionRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        items = [
            services.Seen(item["comment"], item["state_seen"], item["revision_seen"])
            for item in data["items"]
        ]
        ban = data.get("ban")
        try:
            outcomes = services.decide(
                moderator=request.user,
                items=items,
                decision=data["action"],
                reason=data["reason"],
                note=data["note"],
                ban=ban is not None,
                ban_until=(ban or {}).get("until"),
            )
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(
            {
                "outcomes": [
                    {
                        "comment": o.comment_id,
                        "status": 200 if o.done else 409,
                        "code": o.status,
                        "detail": o.message,
                    }
                    for o in outcomes
                ]
            }
        )


class LogFilter(django_filters.FilterSet):
    journal = django_filters.CharFilter(field_name="journal__name")
    action = django_filters.CharFilter(field_name="action")

    class Meta:
        model = AuditEntry
        fields = ["journal", "action"]


@extend_schema(
    tags=["moderation"],
    summary="The audit log of the journals you moderate",
    responses={200: AuditEntrySerializer(many=True), **error_responses(400, 401, 404)},
)
class LogView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AuditEntrySerializer
    filterset_class = LogFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return AuditEntry.objects.none()
        if not Journal.objects.moderated_by(self.request.user).exists():
            raise NotFound()
        return (
            AuditEntry.objects.in_journals_moderated_by(self.request.user)
            .select_related("journal")
            .order_by("-id")
        )


class UndoView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="Undo a decision or thread action (within 24 hours, once)",
        request=None,
        responses={201: AuditEntrySerializer, **error_responses(401, 404, 409)},
    )
    def post(self, request, entry_id: int):
        no_body(request)
        try:
            entry = services.undo(moderator=request.user, entry_id=entry_id)
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(
            AuditEntrySerializer(entry).data, status=status.HTTP_201_CREATED
        )


class DismissalsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="Dismiss the open reports on comments (they stay, closed)",
        request=DismissalRequestSerializer,
        responses={200: DismissalResultSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request):
        incoming = DismissalRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            closed = services.dismiss_reports(
                moderator=request.user,
                comment_ids=incoming.validated_data["comments"],
                note=incoming.validated_data["note"],
            )
        except services.NotFound as missing:
            raise NotFound() from missing
        return Response({"dismissed": closed})


class ClaimsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="Claim a queue item: others see you are looking at it",
        description=(
            "A soft lease of a few minutes, renewed by claiming again. It only "
            "informs the journal's other moderators; anyone may still decide."
        ),
        request=ClaimRequestSerializer,
        responses={201: ClaimSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        incoming = ClaimRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            claim = services.claim_item(
                moderator=request.user, comment_id=incoming.validated_data["comment"]
            )
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refused:
            raise Refused(code=refused.code, detail=refused.message) from refused
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class ClaimView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="Withdraw your claim on a queue item",
        request=None,
        responses={204: None, **error_responses(400, 401, 403, 404)},
    )
    def delete(self, request, comment_id: int):
        no_body(request)
        try:
            services.release_item(moderator=request.user, comment_id=comment_id)
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refused:
            raise Refused(code=refused.code, detail=refused.message) from refused
        return Response(status=status.HTTP_204_NO_CONTENT)


class RestrictionFilter(django_filters.FilterSet):
    journal = django_filters.CharFilter(field_name="journal__name")
    kind = django_filters.ChoiceFilter(choices=AuthorRestriction.Kind.choices)

    class Meta:
        model = AuthorRestriction
        fields = ["journal", "kind"]


def _moderated_journal(user, name: str) -> Journal:
    journal = Journal.objects.moderated_by(user).filter(name=name).first()
    if journal is None:
        raise NotFound()
    return journal


class RestrictionsView(generics.ListAPIView):
    """Bans and screened authors in the journals you moderate."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RestrictionSerializer
    filterset_class = RestrictionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return AuthorRestriction.objects.none()
        return (
            AuthorRestriction.objects.filter(
                journal__in=Journal.objects.moderated_by(self.request.user)
            )
            .select_related("journal", "user", "created_by")
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        tags=["moderation"],
        summary="Bans and screened authors (ended ones too: rows stay)",
        responses={
            200: RestrictionSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["moderation"],
        summary="Ban or always screen an author in a journal (again renews it)",
        description=(
            "404 when the journal is not one you moderate or no account has the "
            "username."
        ),
        request=RestrictionRequestSerializer,
        responses={
            201: RestrictionSerializer,
            **error_responses(400, 401, 404, 409),
        },
    )
    def post(self, request):
        incoming = RestrictionRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        journal = _moderated_journal(request.user, data["journal"])
        user = get_user_model().objects.filter(username=data["username"]).first()
        if user is None:
            raise NotFound(_("No account has this username."))
        try:
            restriction = services.restrict_author(
                journal=journal,
                user=user,
                kind=data["kind"],
                until=data["until"],
                reason=data["reason"],
                by=request.user,
            )
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(
            RestrictionSerializer(restriction).data, status=status.HTTP_201_CREATED
        )


class LiftRestrictionView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="End a ban or screening now (the row stays, audited)",
        request=None,
        responses={200: RestrictionSerializer, **error_responses(401, 404, 409)},
    )
    def post(self, request, restriction_id: int):
        no_body(request)
        restriction = (
            AuthorRestriction.objects.filter(
                journal__in=Journal.objects.moderated_by(request.user),
                pk=restriction_id,
            )
            .select_related("journal", "user", "created_by")
            .first()
        )
        if restriction is None:
            raise NotFound()
        try:
            restriction = services.lift_restriction(
                restriction=restriction, by=request.user
            )
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(RestrictionSerializer(restriction).data)


# Reports, thread actions, a journal's rules and the challenge ----------------------


class PostChallenge(APIView):
    """The anti-bot challenge an anonymous comment on this post must carry."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["comments"],
        summary="A challenge for one anonymous comment on this post",
        description=(
            "The same signed, timed proof the web form carries. Fetch one, wait "
            "at least `wait_seconds`, then send it as `challenge` with the "
            "comment. Logged-in clients need none."
        ),
        responses={200: ChallengeSerializer, **error_responses(404)},
    )
    def get(self, request, post_id: int):
        post = get_object_or_404(Post, pk=post_id)
        data = {
            "challenge": antibot.issue(post.pk),
            "post": post.pk,
            "wait_seconds": FORM_MIN_SECONDS,
            "expires_in": FORM_MAX_SECONDS,
        }
        response = Response(ChallengeSerializer(data).data)
        response["Cache-Control"] = "no-store"
        return response


class CommentFlag(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["comments"],
        summary="Report a comment to the journal's moderators (once per reader)",
        request=FlagSerializer,
        responses={
            201: FlagResultSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, comment_id: int):
        comment = Comment.objects.visible_to(request.user).filter(pk=comment_id).first()
        if comment is None:
            raise NotFound()
        incoming = FlagSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            report = services.report_comment(
                comment=comment, reporter=request.user, **incoming.validated_data
            )
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            if refusal.code == "report.duplicate":
                raise Conflict(detail=refusal.message, code=refusal.code) from refusal
            raise Refused(code=refusal.code, detail=refusal.message) from refusal
        return Response(
            FlagResultSerializer(report).data, status=status.HTTP_201_CREATED
        )


class CommentThreadAction(APIView):
    """Freeze, unfreeze or delete a sub-thread, or screen or unscreen one comment;
    ``?preview=true`` only counts what the action would touch."""

    permission_classes = [permissions.IsAuthenticated]
    action_name = ""

    @extend_schema(
        tags=["moderation"],
        parameters=[
            OpenApiParameter(
                "preview",
                bool,
                description=(
                    "Only say what the action would touch (true or false; anything "
                    "else is a 400)."
                ),
            )
        ],
        request=None,
        responses={200: ThreadScopeSerializer, **error_responses(400, 401, 404, 409)},
    )
    def post(self, request, comment_id: int):
        no_body(request)
        preview = flag(request.query_params, "preview")
        try:
            scope = services.thread_scope(moderator=request.user, comment_id=comment_id)
            if not preview:
                self._act(request.user, comment_id)
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(ThreadScopeSerializer(scope).data)

    def _act(self, moderator, comment_id: int) -> None:
        if self.action_name == "delete":
            services.delete_thread(moderator=moderator, comment_id=comment_id)
        elif self.action_name in ("screen", "unscreen"):
            services.screen_comment(
                moderator=moderator,
                comment_id=comment_id,
                screened=self.action_name == "screen",
            )
        else:
            services.freeze_thread(
                moderator=moderator,
                comment_id=comment_id,
                frozen=self.action_name == "freeze",
            )


# Settings ---------------------------------------------------------------------------


class JournalSettings(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _journal(self, request, name: str) -> Journal:
        journal = Journal.objects.owned_by(request.user).filter(name=name).first()
        if journal is None:
            raise NotFound()
        return journal

    @extend_schema(
        tags=["journals"],
        summary="The journal's comment rules (owner)",
        responses={200: SettingsSerializer, **error_responses(401, 404)},
    )
    def get(self, request, name: str):
        journal = self._journal(request, name)
        data = SettingsSerializer(journal).data
        return Response(data)

    @extend_schema(
        tags=["journals"],
        summary="Change the comment rules: a new rule-set version, audited",
        request=SettingsSerializer(partial=True),
        responses={200: SettingsSerializer, **error_responses(400, 401, 404)},
    )
    def patch(self, request, name: str):
        journal = self._journal(request, name)
        if isinstance(request.data, dict) and not request.data:
            raise DjangoValidationError(
                {"non_field_errors": [_("Send at least one setting to change.")]}
            )
        incoming = SettingsSerializer(journal, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        words = changes.pop("word_rules", None)
        services.update_rule_settings(
            journal=journal, by=request.user, changes=changes, words=words
        )
        journal.refresh_from_db()
        return Response(SettingsSerializer(journal).data)
