"""Shared word lists and ban lists in the API: publishing, changing and
unpublishing a list (its journal's owner), reading published lists and their
versions (owners of journals, who could follow them), and following lists
(``/api/journals/{name}/subscriptions/``, the journal's owner). Thin views over
``moderation.shared_lists``; its shapes beside them."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from journal.api.errors import Conflict, error_responses
from journal.api.parsers import no_body
from journal.api.serializers import (
    StrictBooleanField,
    StrictInput,
    StrictIntegerField,
    TextField,
)
from journal.models import Journal

from .. import shared_lists
from ..models import SharedList, SharedListVersion, Subscription
from ..services import NotAllowed

# Shapes --------------------------------------------------------------------------


class SharedWordSerializer(StrictInput, serializers.Serializer):
    phrase = TextField(max_length=100, help_text="A word or phrase, one line.")
    kind = serializers.ChoiceField(
        choices=[("block", "block"), ("hold", "hold")],
        help_text="block: refuse the comment; hold: it waits for a moderator.",
    )
    substring = StrictBooleanField(
        required=False, default=False, help_text="Match inside words too."
    )


class SharedBanSerializer(StrictInput, serializers.Serializer):
    username = TextField(max_length=150, trim_whitespace=False)
    until = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Empty: no end."
    )
    reason = TextField(required=False, allow_blank=True, default="", max_length=200)


def _words_field(**kwargs):
    return SharedWordSerializer(
        many=True,
        max_length=shared_lists.MAX_ENTRIES,
        help_text="A word list's entries, all of them (a change replaces them).",
        **kwargs,
    )


def _bans_field(**kwargs):
    return SharedBanSerializer(
        many=True,
        max_length=shared_lists.MAX_ENTRIES,
        help_text="A ban list's entries, all of them (a change replaces them).",
        **kwargs,
    )


class _NewList(StrictInput, serializers.Serializer):
    journal = TextField(max_length=30, help_text="Your journal that publishes it.")
    name = TextField(
        max_length=80,
        help_text="Fixed once published: authors on a ban list read it.",
    )
    description = TextField(
        required=False, allow_blank=True, default="", max_length=2000
    )


class NewWordListSerializer(_NewList):
    """A word list: its entries hold or refuse comments in the journals that
    follow it."""

    kind = serializers.ChoiceField(choices=[SharedList.Kind.WORDS])
    words = _words_field(required=False, default=list)


class NewBanListSerializer(_NewList):
    """A ban list: the accounts on it cannot comment in the journals that
    follow it (their own moderators excepted)."""

    kind = serializers.ChoiceField(choices=[SharedList.Kind.BANS])
    bans = _bans_field(required=False, default=list)


NEW_LISTS = {
    SharedList.Kind.WORDS: NewWordListSerializer,
    SharedList.Kind.BANS: NewBanListSerializer,
}


class SharedListChangeSerializer(StrictInput, serializers.Serializer):
    description = TextField(required=False, allow_blank=True, max_length=2000)
    words = _words_field(required=False)
    bans = _bans_field(required=False)


class SharedListSerializer(serializers.ModelSerializer):
    journal = serializers.CharField(source="journal.name")
    created = serializers.DateTimeField(source="created_at")
    unpublished = serializers.DateTimeField(source="unpublished_at", allow_null=True)
    version = serializers.IntegerField(
        source="latest_number",
        allow_null=True,
        help_text="The latest version's number.",
    )
    yours = serializers.SerializerMethodField(
        help_text="Whether you may change it (you own its journal)."
    )

    class Meta:
        model = SharedList
        fields = (
            "id", "journal", "kind", "name", "description", "state", "created",
            "unpublished", "version", "yours",
        )  # fmt: skip

    @extend_schema_field(serializers.BooleanField())
    def get_yours(self, shared: SharedList) -> bool:
        return shared_lists.owns(self.context["request"].user, shared)


class SharedWordOutSerializer(serializers.Serializer):
    phrase = serializers.CharField()
    kind = serializers.CharField()
    substring = serializers.BooleanField()


class SharedBanOutSerializer(serializers.Serializer):
    username = serializers.CharField()
    until = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


def _entries(shared: SharedList, entries: list) -> dict:
    if shared.kind == SharedList.Kind.WORDS:
        words = [
            {"phrase": phrase, "kind": kind, "substring": substring}
            for phrase, kind, substring in entries
        ]
        return {"words": words, "bans": None}
    bans = [
        {"username": name, "until": until, "reason": reason}
        for _user_id, name, until, reason in entries
    ]
    return {"words": None, "bans": bans}


class SharedListDetailSerializer(SharedListSerializer):
    words = serializers.SerializerMethodField(help_text="A word list's entries now.")
    bans = serializers.SerializerMethodField(help_text="A ban list's entries now.")

    class Meta(SharedListSerializer.Meta):
        fields = (*SharedListSerializer.Meta.fields, "words", "bans")

    def _now(self, shared: SharedList) -> dict:
        known = self.context.setdefault("entries", {})
        if shared.pk not in known:
            latest = shared_lists.latest_version(shared)
            known[shared.pk] = _entries(shared, latest.entries if latest else [])
        return known[shared.pk]

    @extend_schema_field(SharedWordOutSerializer(many=True, allow_null=True))
    def get_words(self, shared: SharedList):
        return self._now(shared)["words"]

    @extend_schema_field(SharedBanOutSerializer(many=True, allow_null=True))
    def get_bans(self, shared: SharedList):
        return self._now(shared)["bans"]


class VersionChangesSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.JSONField())
    removed = serializers.ListField(child=serializers.JSONField())


class SharedListVersionSerializer(serializers.ModelSerializer):
    created = serializers.DateTimeField(source="created_at")
    changes = VersionChangesSerializer(
        help_text=(
            "Entries added and removed, as stored: a word as [phrase, kind, "
            "substring], a ban as [user id, username, until, reason]."
        )
    )
    entries = serializers.SerializerMethodField(help_text="How many entries it holds.")

    class Meta:
        model = SharedListVersion
        fields = ("number", "created", "changes", "entries")

    @extend_schema_field(serializers.IntegerField())
    def get_entries(self, version) -> int:
        return len(version.entries)


class SharedListVersionDetailSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    created = serializers.DateTimeField()
    changes = VersionChangesSerializer()
    words = SharedWordOutSerializer(many=True, allow_null=True)
    bans = SharedBanOutSerializer(many=True, allow_null=True)


class FollowedListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    journal = serializers.CharField(source="journal.name")


class SubscriptionSerializer(serializers.ModelSerializer):
    list = FollowedListSerializer(source="shared_list")
    created = serializers.DateTimeField(source="created_at")
    ended = serializers.DateTimeField(source="ended_at", allow_null=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = ("id", "list", "created", "ended", "active")

    @extend_schema_field(serializers.BooleanField())
    def get_active(self, subscription) -> bool:
        return subscription.ended_at is None


class SubscriptionRequestSerializer(StrictInput, serializers.Serializer):
    list = StrictIntegerField(
        min_value=1, max_value=2**62, help_text="The id of a published list."
    )


# Doors -------------------------------------------------------------------------------


def _latest_number():
    return Subquery(
        SharedListVersion.objects.filter(shared_list=OuterRef("pk"))
        .order_by("-number")
        .values("number")[:1]
    )


def _visible(user):
    return shared_lists.visible_to(user).annotate(latest_number=_latest_number())


def _visible_list(user, list_id: int) -> SharedList:
    shared = _visible(user).filter(pk=list_id).first()
    if shared is None:
        raise NotFound()
    return shared


def _own_list(user, list_id: int) -> SharedList:
    """A list ``user`` may change; one they may only read is a 403."""
    shared = _visible_list(user, list_id)
    if not shared_lists.owns(user, shared):
        raise PermissionDenied(
            _("Only the owner of the journal that publishes this list changes it."),
            code="shared_list.read_only",
        )
    return shared


def _entries_of(data: dict):
    return data.get("words", data.get("bans"))


class SharedListsView(generics.ListAPIView):
    """Published lists, and your own in any state."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SharedListSerializer

    def get_queryset(self):
        lists = _visible(self.request.user).order_by("name", "pk")
        kind = self.request.query_params.get("kind")
        if kind is not None:
            if kind not in SharedList.Kind.values:
                raise serializers.ValidationError({"kind": [_("words or bans.")]})
            lists = lists.filter(kind=kind)
        return lists

    @extend_schema(
        tags=["shared lists"],
        summary="Shared word lists and ban lists you may read",
        description=(
            "Every published list (for owners of a journal, who could follow "
            "one), your own in any state, and lists your journals followed."
        ),
        parameters=[
            OpenApiParameter("kind", str, enum=SharedList.Kind.values, required=False)
        ],
        responses={
            200: SharedListSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["shared lists"],
        summary="Publish a word list or a ban list (owner of the journal)",
        request=PolymorphicProxySerializer(
            component_name="SharedListRequest",
            serializers={
                kind.value: serializer for kind, serializer in NEW_LISTS.items()
            },
            resource_type_field_name="kind",
        ),
        responses={
            201: SharedListDetailSerializer,
            **error_responses(400, 401, 404),
        },
    )
    def post(self, request):
        kind = request.data.get("kind") if isinstance(request.data, dict) else None
        if not isinstance(kind, str) or kind not in NEW_LISTS:
            raise serializers.ValidationError({"kind": [_("words or bans.")]})
        incoming = NEW_LISTS[kind](data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        journal = (
            Journal.objects.owned_by(request.user).filter(name=data["journal"]).first()
        )
        if journal is None:
            raise NotFound()
        shared = shared_lists.publish(
            journal=journal,
            by=request.user,
            kind=data["kind"],
            name=data["name"],
            description=data["description"],
            entries=data.get("words", data.get("bans", [])),
        )
        shared = _visible_list(request.user, shared.pk)
        return Response(
            SharedListDetailSerializer(shared, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SharedListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["shared lists"],
        summary="A shared list and its entries now",
        responses={200: SharedListDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request, list_id: int):
        shared = _visible_list(request.user, list_id)
        return Response(
            SharedListDetailSerializer(shared, context={"request": request}).data
        )

    @extend_schema(
        tags=["shared lists"],
        summary="Change a list: its description, or all its entries (a new "
        "version; every following journal's next comment is judged by it)",
        description=(
            "`words` for a word list, `bans` for a ban list (the other is a "
            "400). Only the owner of the publishing journal changes a list; "
            "anyone else who may read it gets a 403."
        ),
        request=SharedListChangeSerializer,
        responses={
            200: SharedListDetailSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def patch(self, request, list_id: int):
        shared = _own_list(request.user, list_id)
        incoming = SharedListChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if not data:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a description or the entries.")]}
            )
        wrong = "bans" if shared.kind == SharedList.Kind.WORDS else "words"
        if wrong in data:
            raise serializers.ValidationError(
                {wrong: [_("Not an entry of this kind of list.")]}
            )
        try:
            shared_lists.change_list(
                shared_list=shared,
                by=request.user,
                entries=_entries_of(data),
                description=data.get("description"),
            )
        except NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        shared = _visible_list(request.user, list_id)
        return Response(
            SharedListDetailSerializer(shared, context={"request": request}).data
        )


class UnpublishView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["shared lists"],
        summary="Unpublish a list: it and its versions stay, every subscription "
        "to it ends, nobody can follow it again (owner)",
        request=None,
        responses={
            200: SharedListSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, list_id: int):
        no_body(request)
        shared = _own_list(request.user, list_id)
        try:
            shared_lists.unpublish(shared_list=shared, by=request.user)
        except NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        shared = _visible_list(request.user, list_id)
        return Response(SharedListSerializer(shared, context={"request": request}).data)


class SharedListVersionsView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SharedListVersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return SharedListVersion.objects.none()
        shared = _visible_list(self.request.user, self.kwargs["list_id"])
        return SharedListVersion.objects.filter(shared_list=shared).order_by("-number")

    @extend_schema(
        tags=["shared lists"],
        summary="A shared list's versions, newest first, with what each changed",
        responses={
            200: SharedListVersionSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SharedListVersionView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["shared lists"],
        summary="One version of a shared list, with its entries then: what an "
        "old verdict naming it was judged by",
        responses={
            200: SharedListVersionDetailSerializer,
            **error_responses(401, 404),
        },
    )
    def get(self, request, list_id: int, number: int):
        shared = _visible_list(request.user, list_id)
        version = shared.versions.filter(number=number).first()
        if version is None:
            raise NotFound()
        data = {
            "number": version.number,
            "created": version.created_at,
            "changes": {
                "added": version.changes.get("added", []),
                "removed": version.changes.get("removed", []),
            },
            **_entries(shared, version.entries),
        }
        return Response(SharedListVersionDetailSerializer(data).data)


def _owned_journal(user, name: str) -> Journal:
    journal = Journal.objects.owned_by(user).filter(name=name).first()
    if journal is None:
        raise NotFound()
    return journal


class SubscriptionsView(generics.ListAPIView):
    """The lists a journal follows and followed (its owner's, like its rules)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SubscriptionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Subscription.objects.none()
        journal = _owned_journal(self.request.user, self.kwargs["name"])
        return shared_lists.subscriptions_of(journal)

    @extend_schema(
        tags=["shared lists"],
        summary="The shared lists the journal follows, and followed (owner)",
        responses={
            200: SubscriptionSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["shared lists"],
        summary="Follow a published list: a new rule-set version naming its "
        "version, audited (owner)",
        request=SubscriptionRequestSerializer,
        responses={201: SubscriptionSerializer, **error_responses(400, 401, 404, 409)},
    )
    def post(self, request, name: str):
        journal = _owned_journal(request.user, name)
        incoming = SubscriptionRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        shared = _visible_list(request.user, incoming.validated_data["list"])
        try:
            subscription = shared_lists.subscribe(
                journal=journal, shared_list=shared, by=request.user
            )
        except NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(
            SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class EndSubscriptionView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["shared lists"],
        summary="Stop following a list (the subscription stays, ended): a new "
        "rule-set version, audited (owner)",
        request=None,
        responses={200: SubscriptionSerializer, **error_responses(400, 401, 404, 409)},
    )
    def post(self, request, name: str, subscription_id: int):
        no_body(request)
        journal = _owned_journal(request.user, name)
        subscription = (
            shared_lists.subscriptions_of(journal).filter(pk=subscription_id).first()
        )
        if subscription is None:
            raise NotFound()
        try:
            shared_lists.unsubscribe(subscription=subscription, by=request.user)
        except NotAllowed as refusal:
            raise Conflict(detail=refusal.message, code=refusal.code) from refusal
        return Response(SubscriptionSerializer(subscription).data)
