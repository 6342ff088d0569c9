"""The moderation API: the queue, decisions, the audit log and undo."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.errors import Conflict, error_responses
from journal.models import Journal

from .. import queue, services
from ..models import AuditEntry
from .serializers import (
    AuditEntrySerializer,
    DecisionRequestSerializer,
    DecisionResultSerializer,
    QueuePageSerializer,
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
        if params.get("tab") not in ("held", "reported"):
            params["tab"] = "held"
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
        responses={200: DecisionResultSerializer, **error_responses(400, 401, 404)},
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
        try:
            entry = services.undo(moderator=request.user, entry_id=entry_id)
        except services.NotFound as missing:
            raise NotFound() from missing
        except services.NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(
            AuditEntrySerializer(entry).data, status=status.HTTP_201_CREATED
        )
