"""The REST API for journals, posts and comments.

Thin views: reads come from the same querysets and journal.threads as the pages,
writes go through journal.services, and anything the caller may not see is a
404, exactly like the pages. The moderation plugin serves its own endpoints
(``moderation.api``).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from journal import services, threads
from journal.client_ip import client_ip
from journal.models import Comment, Journal, Post, Tag
from journal.params import optional_id
from journal.plugins import Origin, plugin

from .errors import Refused, error_responses
from .pagination import CommentSliceSerializer, next_link, page_number
from .parsers import no_body
from .serializers import (
    MODERATOR_ONLY_REASON_KEYS,
    CommentCreateSerializer,
    CommentEditSerializer,
    CommentSerializer,
    JournalSerializer,
    PostSerializer,
    TagSerializer,
    reasons_for,
)


def _moderated_ids(user, journal: Journal) -> set[int]:
    return {journal.pk} if journal.is_moderated_by(user) else set()


def _refused(refusal: services.CommentRefused) -> Refused:
    return Refused(
        code=refusal.code, detail=refusal.message, retry_after=refusal.retry_after
    )


def _renamed(error: ValidationError, **names: str) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(field, field): errors for field, errors in error.error_dict.items()}
    )


def _origin(request, *, challenge_for: Post | None = None, challenge="") -> Origin:
    """Where a write came from; an anonymous comment also carries its proof."""
    proof = None
    if challenge_for is not None and not request.user.is_authenticated:
        proof = plugin().read_proof(token=challenge, post_id=challenge_for.pk)
    return Origin(ip_address=client_ip(request), proof=proof)


# Journals and posts -------------------------------------------------------------


@extend_schema(
    tags=["journals"],
    responses={200: JournalSerializer(many=True), **error_responses(404)},
)
class JournalList(generics.ListAPIView):
    serializer_class = JournalSerializer
    permission_classes = [permissions.AllowAny]
    queryset = Journal.objects.select_related("owner").order_by("name")


@extend_schema(
    tags=["journals"], responses={200: JournalSerializer, **error_responses(404)}
)
class JournalDetail(generics.RetrieveAPIView):
    serializer_class = JournalSerializer
    permission_classes = [permissions.AllowAny]
    queryset = Journal.objects.select_related("owner")
    lookup_field = "name"


@extend_schema(
    tags=["journals"], responses={200: TagSerializer(many=True), **error_responses(404)}
)
class JournalTags(generics.ListAPIView):
    serializer_class = TagSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Tag.objects.none()
        journal = get_object_or_404(Journal, name=self.kwargs["name"])
        return Tag.objects.filter(journal=journal).order_by("name")


class PostFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(field_name="tags__slug", help_text="A tag's slug.")

    class Meta:
        model = Post
        fields = ["tag"]


@extend_schema(
    tags=["posts"],
    responses={200: PostSerializer(many=True), **error_responses(400, 404)},
)
class JournalPosts(generics.ListAPIView):
    serializer_class = PostSerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = PostFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Post.objects.none()
        journal = get_object_or_404(Journal, name=self.kwargs["name"])
        return journal.posts.for_listing()


@extend_schema(tags=["posts"], responses={200: PostSerializer, **error_responses(404)})
class PostDetail(generics.RetrieveAPIView):
    serializer_class = PostSerializer
    permission_classes = [permissions.AllowAny]
    queryset = Post.objects.for_listing()


# Comments -------------------------------------------------------------------------


def _comment_page(request, post: Post, own_ids) -> dict:
    """A bounded page of comments in display order, and the address of the next.

    ``page`` is kept for the clients of the numbered pages: the first is the
    same as none, and a later one is gone (a 404), since no query counts the
    pages any more."""
    if page_number(request.query_params) != 1:
        raise NotFound()
    thread = optional_id(request.query_params.get("thread"))
    after = optional_id(request.query_params.get("after"))
    found = threads.comment_run(
        post, request.user, thread_id=thread, after=after, own_comment_ids=own_ids
    )
    if found is None:
        raise NotFound()
    comments, more = found
    return {
        "next": next_link(request, after=comments[-1].pk) if more else None,
        "comments": comments,
    }


class PostComments(APIView):
    permission_classes = [permissions.AllowAny]

    def _post(self, post_id: int) -> Post:
        post = services.post_to_comment_on(post_id)
        if post is None:
            raise NotFound()
        return post

    @extend_schema(
        tags=["comments"],
        summary="The post's comments in display order",
        description=(
            "A bounded page of comments (50 unless the site sets "
            "`JOURNAL['COMMENTS_PER_PAGE']`), whatever the thread's shape; `next` "
            "leads to the page after, until every comment was listed once."
        ),
        parameters=[
            OpenApiParameter(
                "after",
                int,
                description="Start after this comment, in display order: the "
                "cursor `next` carries.",
            ),
            OpenApiParameter(
                "thread", int, description="Only this comment's sub-thread."
            ),
            OpenApiParameter(
                "page",
                int,
                description="Only 1, the first page: later ones come through `next`.",
                deprecated=True,
            ),
        ],
        responses={200: CommentSliceSerializer, **error_responses(400, 404)},
    )
    def get(self, request, post_id: int):
        post = self._post(post_id)
        data = _comment_page(request, post, ())
        comments = data.pop("comments")
        context = {
            "request": request,
            "moderated_journal_ids": _moderated_ids(request.user, post.journal),
            "post_url": post.get_absolute_url(),
        }
        data["results"] = CommentSerializer(comments, many=True, context=context).data
        return Response(data)

    @extend_schema(
        tags=["comments"],
        summary="Post a comment; the journal's rules decide",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def post(self, request, post_id: int):
        post = self._post(post_id)
        incoming = CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            comment = services.submit_comment(
                post=post,
                author=request.user,
                body=data["body"],
                subject=data["subject"],
                parent_id=data.get("parent"),
                author_name=data["name"],
                origin=_origin(
                    request, challenge_for=post, challenge=data["challenge"]
                ),
            )
        except services.CommentRefused as refusal:
            raise _refused(refusal) from refusal
        except ValidationError as error:
            if getattr(error, "error_dict", {}).get("parent"):
                # A reply to a comment that is not there: a missing resource.
                raise NotFound(str(services.PARENT_MISSING)) from error
            # The service names the form's fields; the API calls the name "name".
            raise _renamed(error, author_name="name") from error
        comment.readable = True
        body = CommentSerializer(
            comment, context={"request": request, "post_url": post.get_absolute_url()}
        ).data
        # The author always learns the state and, when held, why (so no need to
        # ask whether they moderate the journal).
        body["state"] = comment.state
        reasons = comment.reasons
        moderator = any(
            key in reason for reason in reasons for key in MODERATOR_ONLY_REASON_KEYS
        ) and bool(_moderated_ids(request.user, post.journal))
        body["reasons"] = reasons_for(reasons, moderator=moderator)
        return Response(body, status=status.HTTP_201_CREATED)


class CommentDetail(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def _visible(self, request, comment_id: int) -> Comment:
        comment = (
            Comment.objects.visible_to(request.user)
            .select_related("author", "post__journal", "journal")
            .filter(pk=comment_id)
            .first()
        )
        if comment is None:
            raise NotFound()
        return comment

    def _own(self, request, comment_id: int) -> Comment:
        comment = self._visible(request, comment_id)
        if comment.author_id != request.user.pk:
            raise NotFound()
        return comment

    def _render(self, request, comment: Comment) -> dict:
        context = {
            "request": request,
            "moderated_journal_ids": _moderated_ids(request.user, comment.journal),
        }
        return CommentSerializer(comment, context=context).data

    @extend_schema(
        tags=["comments"], responses={200: CommentSerializer, **error_responses(404)}
    )
    def get(self, request, comment_id: int):
        return Response(self._render(request, self._visible(request, comment_id)))

    @extend_schema(
        tags=["comments"],
        summary="Edit your comment within the journal's edit window",
        request=CommentEditSerializer,
        responses={200: CommentSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def patch(self, request, comment_id: int):
        comment = self._own(request, comment_id)
        incoming = CommentEditSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        changes = incoming.validated_data
        try:
            comment = services.edit_comment(
                comment=comment,
                editor=request.user,
                body=changes.get("body", comment.body_source),
                subject=changes.get("subject", comment.subject),
                origin=_origin(request),
            )
        except services.NotAllowed as refusal:
            raise Refused(code=refusal.code, detail=refusal.message) from refusal
        except services.CommentRefused as refusal:
            raise _refused(refusal) from refusal
        comment.readable = True
        return Response(self._render(request, comment))

    @extend_schema(
        tags=["comments"],
        summary="Delete your comment (it shows as “Deleted comment” if answered)",
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request, comment_id: int):
        no_body(request)
        comment = self._own(request, comment_id)
        try:
            services.delete_own_comment(comment=comment, user=request.user)
        except services.NotAllowed as refusal:
            raise Refused(code=refusal.code, detail=refusal.message) from refusal
        return Response(status=status.HTTP_204_NO_CONTENT)
