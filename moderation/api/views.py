"""The moderation API: the queue, decisions, the audit log and undo; reports,
thread actions, a journal's comment rules and the anonymous author's
challenge. Thin views over ``moderation.services``."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.errors import Conflict, Refused, error_responses
from journal.api.parsers import no_body
from journal.models import Comment, Journal, Post
from journal.params import flag

from .. import antibot, backtest, heat, proposals, queue, schedules, services, shadows
from ..models import (
    AuditEntry,
    AuthorRestriction,
    Backtest,
    HeatScreening,
    ScheduledMode,
    ShadowRuleSet,
)
from ..rules import FORM_MAX_SECONDS, FORM_MIN_SECONDS
from .serializers import (
    WINDOW_REQUESTS,
    AuditEntrySerializer,
    BacktestRequestSerializer,
    BacktestSerializer,
    ChallengeSerializer,
    ClaimRequestSerializer,
    ClaimSerializer,
    DecisionRequestSerializer,
    DecisionResultSerializer,
    DismissalRequestSerializer,
    DismissalResultSerializer,
    FlagResultSerializer,
    FlagSerializer,
    HeatScreeningSerializer,
    QueuePageSerializer,
    RateWindowRequestSerializer,
    RestrictionRequestSerializer,
    RestrictionSerializer,
    ScheduledModeSerializer,
    ScreenWindowRequestSerializer,
    SettingsSerializer,
    ShadowActionSerializer,
    ShadowRequestSerializer,
    ShadowSerializer,
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


# Shadow rule sets -----------------------------------------------------------------


class _ShadowDoor(APIView):
    """A journal's shadow rule set: its owner and moderators read it, only the
    owner starts, promotes or retires one; another journal is a 404."""

    permission_classes = [permissions.IsAuthenticated]

    def _journal(self, request, name: str, *, change: bool = False) -> Journal:
        journal = (
            Journal.objects.moderated_by(request.user)
            .select_related("owner")
            .filter(name=name)
            .first()
        )
        if journal is None:
            raise NotFound()
        if change and not (
            request.user.is_superuser or journal.owner_id == request.user.pk
        ):
            raise PermissionDenied(
                detail=_("Only the journal's owner can change its rules."),
                code="shadow.owner_only",
            )
        return journal

    def _data(self, request, journal: Journal, shadow: ShadowRuleSet) -> dict:
        owner = request.user.is_superuser or journal.owner_id == request.user.pk
        return ShadowSerializer(shadows.summary(shadow), context={"owner": owner}).data

    def _shadow(self, journal: Journal, shadow_id: int) -> ShadowRuleSet:
        shadow = (
            ShadowRuleSet.objects.select_related("journal", "promoted_to")
            .filter(journal=journal, pk=shadow_id)
            .first()
        )
        if shadow is None:
            raise NotFound()
        return shadow


class JournalShadow(_ShadowDoor):
    @extend_schema(
        tags=["journals"],
        summary="The shadow rule set running beside the live rules, and its counts",
        description=(
            "It judges every new or edited comment with the same facts as the "
            "live rules and is never acted on; `days` counts, day by day, where "
            "it would have decided otherwise. 404 when none runs. Owner and "
            "moderators."
        ),
        responses={200: ShadowSerializer, **error_responses(401, 404)},
    )
    def get(self, request, name: str):
        journal = self._journal(request, name)
        shadow = (
            ShadowRuleSet.objects.select_related("journal", "promoted_to")
            .filter(journal=journal, state=ShadowRuleSet.State.SHADOW)
            .first()
        )
        if shadow is None:
            raise NotFound(detail=_("No shadow rule set runs in this journal."))
        return Response(self._data(request, journal, shadow))

    @extend_schema(
        tags=["journals"],
        summary="Run proposed rules in the shadow (owner)",
        description=(
            "The body is the settings body (`PATCH /api/journals/{name}/settings/`): "
            "what it leaves out stays as the live rules have it. Nothing live "
            "changes. The shadow running before is retired: one runs at a time."
        ),
        request=ShadowRequestSerializer(partial=True),
        responses={201: ShadowSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, name: str):
        journal = self._journal(request, name, change=True)
        incoming = ShadowRequestSerializer(journal, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        label = changes.pop("name", "")
        words = changes.pop("word_rules", None)
        snapshot = proposals.snapshot_with(journal, changes=changes, words=words)
        shadow = shadows.start_shadow(
            journal=journal, proposal=snapshot, by=request.user, name=label
        )
        return Response(
            self._data(request, journal, shadow), status=status.HTTP_201_CREATED
        )


class JournalShadowAction(_ShadowDoor):
    """Promote or retire the shadow rule set the body names (owner)."""

    def _act(self, request, name: str, act) -> Response:
        journal = self._journal(request, name, change=True)
        incoming = ShadowActionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        shadow = self._shadow(journal, incoming.validated_data["shadow"])
        try:
            act(shadow=shadow, by=request.user)
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        shadow = self._shadow(journal, shadow.pk)
        return Response(self._data(request, journal, shadow))


_SHADOW_ACTION_RESPONSES = {
    200: ShadowSerializer,
    **error_responses(400, 401, 403, 404, 409),
}


class JournalShadowPromote(JournalShadowAction):
    @extend_schema(
        tags=["journals"],
        summary="Make the shadow rule set the live rules: a new version, audited",
        description=(
            "In one step: its settings, word lists and schedule become the "
            "journal's, recorded as a new rule-set version. 409 once it was "
            "promoted or retired."
        ),
        request=ShadowActionSerializer,
        responses=_SHADOW_ACTION_RESPONSES,
    )
    def post(self, request, name: str):
        return self._act(request, name, shadows.promote_shadow)


class JournalShadowRetire(JournalShadowAction):
    @extend_schema(
        tags=["journals"],
        summary="Stop running the shadow rule set (its verdicts stay)",
        description="409 once it was promoted or retired.",
        request=ShadowActionSerializer,
        responses=_SHADOW_ACTION_RESPONSES,
    )
    def post(self, request, name: str):
        return self._act(request, name, shadows.retire_shadow)


# Scheduled modes and heat -------------------------------------------------------


def _owned_journal(user, name: str) -> Journal:
    """A journal whose rules ``user`` may change (its owner, or a superuser)."""
    journal = Journal.objects.owned_by(user).filter(name=name).first()
    if journal is None:
        raise NotFound()
    return journal


class ScheduleView(APIView):
    """The journal's scheduled modes: windows of the week, by its own clock,
    with stricter rules. The owner's, like the rest of its rules."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["journals"],
        summary="The journal's scheduled modes in force (owner)",
        responses={
            200: ScheduledModeSerializer(many=True),
            **error_responses(401, 404),
        },
    )
    def get(self, request, name: str):
        journal = _owned_journal(request.user, name)
        windows = schedules.windows_of(journal)
        return Response(ScheduledModeSerializer(windows, many=True).data)

    @extend_schema(
        tags=["journals"],
        summary="Add a scheduled mode: a new rule-set version, audited (owner)",
        description=(
            "A window opens at `starts_at` on each of `days` and closes "
            "`ends_after_days` days later at `ends_at`, by the journal's own clock "
            "(its settings' `time_zone`). While a `screen` window is open every "
            "comment but a moderator's waits for a moderator (`schedule.screening`); "
            "while a `rate` window is open each author may post `rate_per_minute` "
            "comments a minute, when that is stricter than the journal's own limit "
            "(`schedule.rate`, a 429 with Retry-After). At most "
            f"{ScheduledMode.MAX_ACTIVE} windows; the 21st is a 400."
        ),
        request=PolymorphicProxySerializer(
            component_name="ScheduledModeRequest",
            serializers={
                ScheduledMode.Mode.SCREEN.value: ScreenWindowRequestSerializer,
                ScheduledMode.Mode.RATE.value: RateWindowRequestSerializer,
            },
            resource_type_field_name="mode",
        ),
        responses={201: ScheduledModeSerializer, **error_responses(400, 401, 404)},
    )
    def post(self, request, name: str):
        journal = _owned_journal(request.user, name)
        mode = request.data.get("mode") if isinstance(request.data, dict) else None
        if not isinstance(mode, str) or mode not in WINDOW_REQUESTS:
            modes = " or ".join(WINDOW_REQUESTS)
            raise ValidationError({"mode": [_("Use %(modes)s.") % {"modes": modes}]})
        incoming = WINDOW_REQUESTS[mode](data=request.data)
        incoming.is_valid(raise_exception=True)
        window = schedules.add_window(
            journal=journal, by=request.user, **incoming.validated_data
        )
        return Response(
            ScheduledModeSerializer(window).data, status=status.HTTP_201_CREATED
        )


class RetireWindowView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["journals"],
        summary="Remove a scheduled mode (the row stays, retired): a new rule-set "
        "version, audited (owner)",
        request=None,
        responses={200: ScheduledModeSerializer, **error_responses(401, 404, 409)},
    )
    def post(self, request, name: str, window_id: int):
        no_body(request)
        journal = _owned_journal(request.user, name)
        window = ScheduledMode.objects.filter(journal=journal, pk=window_id).first()
        if window is None:
            raise NotFound()
        try:
            window = schedules.retire_window(window=window, by=request.user)
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(ScheduledModeSerializer(window).data)


class HeatFilter(django_filters.FilterSet):
    journal = django_filters.CharFilter(field_name="journal__name")
    active = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="running",
        label="true: only those screening now; false: ended ones",
    )

    class Meta:
        model = HeatScreening
        fields = ["journal", "active"]

    def running(self, queryset, name, value):
        now = timezone.now()
        running = Q(lifted_at__isnull=True, until__gt=now)
        if value == "true":
            return queryset.filter(running)
        return queryset.exclude(running)


class HeatScreeningsView(generics.ListAPIView):
    """Sub-threads screened for heat in the journals you moderate."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = HeatScreeningSerializer
    filterset_class = HeatFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return HeatScreening.objects.none()
        if not Journal.objects.moderated_by(self.request.user).exists():
            raise NotFound()
        return heat.screenings_for(self.request.user).order_by("-started_at", "-id")

    @extend_schema(
        tags=["moderation"],
        summary="Sub-threads screened for heat (ended ones too: rows stay)",
        description=(
            "A sub-thread (everything under one top-level comment) that got the "
            "journal's `heat_replies` replies within `heat_minutes` is screened for "
            "`heat_hours`: replies in it, but a moderator's, wait for a moderator "
            "(`heat.screened`)."
        ),
        responses={
            200: HeatScreeningSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LiftHeatView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["moderation"],
        summary="End a heat screening now (the row stays; audited, undoable)",
        request=None,
        responses={200: HeatScreeningSerializer, **error_responses(401, 404, 409)},
    )
    def post(self, request, screening_id: int):
        no_body(request)
        try:
            screening = heat.lift_heat(
                moderator=request.user, screening_id=screening_id
            )
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        screening = heat.screenings_for(request.user).get(pk=screening.pk)
        return Response(HeatScreeningSerializer(screening).data)


# Backtests --------------------------------------------------------------------------


def _backtest_data(request, name: str, *, row=None, result=None) -> dict:
    """A backtest as the API shows it: a queued one's row, or the result of a
    replay short enough to answer at once (no row, no id)."""
    if row is None:
        return {
            "id": None,
            "url": None,
            "state": Backtest.State.DONE,
            "limit": result["limit"],
            "done": result["read"],
            "total": result["read"],
            "result": result,
            "created": None,
            "finished": None,
        }
    return {
        "id": row.pk,
        "url": request.build_absolute_uri(
            reverse("api-journal-backtest", args=[name, row.pk])
        ),
        "state": row.state,
        "limit": row.limit,
        "done": row.done,
        "total": row.total,
        "result": row.result if row.state == Backtest.State.DONE else None,
        "created": row.created_at,
        "finished": row.finished_at,
    }


class JournalBacktests(APIView):
    """Replay proposed rules over the journal's last comments (owner)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["journals"],
        summary="Preview a change of the comment rules on the last comments (owner)",
        description=(
            "The body is the settings body (`PATCH /api/journals/{name}/settings/`), "
            "plus `limit`; what it leaves out stays as the live rules have it. "
            "Nothing is saved: each of the last `limit` comments is judged again "
            "from the facts it was judged on, under the rules it was judged under "
            "and under the proposal. A short replay answers at once (200); a "
            "longer one is queued (202, with its address in `url` and Location): "
            "follow it with GET. 409 while another backtest of the journal runs."
        ),
        request=BacktestRequestSerializer(partial=True),
        responses={
            200: BacktestSerializer,
            202: BacktestSerializer,
            **error_responses(400, 401, 404, 409),
        },
    )
    def post(self, request, name: str):
        journal = _owned_journal(request.user, name)
        incoming = BacktestRequestSerializer(journal, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        limit = changes.pop("limit", backtest.DEFAULT_LIMIT)
        words = changes.pop("word_rules", None)
        snapshot = proposals.snapshot_with(journal, changes=changes, words=words)
        try:
            preview = proposals.preview(
                journal=journal, snapshot=snapshot, limit=limit, by=request.user
            )
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        if preview.backtest is None:
            data = _backtest_data(request, name, result=preview.result)
            return Response(BacktestSerializer(data).data)
        data = _backtest_data(request, name, row=preview.backtest)
        return Response(
            BacktestSerializer(data).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": data["url"]},
        )


class JournalBacktest(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["journals"],
        summary="A queued backtest: how far it got, then its result (owner)",
        responses={200: BacktestSerializer, **error_responses(401, 404)},
    )
    def get(self, request, name: str, backtest_id: int):
        journal = _owned_journal(request.user, name)
        row = Backtest.objects.filter(journal=journal, pk=backtest_id).first()
        if row is None:
            raise NotFound()
        return Response(BacktestSerializer(_backtest_data(request, name, row=row)).data)
