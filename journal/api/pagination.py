"""Paging in the API: page numbers from 1 (or a 400 that says so), and the
comment list's cursor."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from journal.params import MAX_PAGE, whole_number

from .serializers import CommentSerializer


def page_number(params) -> int:
    """The ``page`` parameter; absent is 1, anything but a whole number from 1
    is refused instead of quietly showing the first page. A page past the last
    is the paginator's 404."""
    value = params.get("page")
    if value is None:
        return 1
    number = whole_number(value, most=MAX_PAGE)
    if number is None:
        raise ValidationError(
            {
                "page": [
                    _("A page is a whole number from 1 to %(most)s.")
                    % {"most": MAX_PAGE}
                ]
            }
        )
    return number


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        return page_number(request.query_params)


def next_link(request, *, after: int) -> str:
    """This address with the cursor moved on to ``after`` (and no page number)."""
    url = remove_query_param(request.build_absolute_uri(), "page")
    return replace_query_param(url, "after", after)


class CommentSliceSerializer(serializers.Serializer):
    """A bounded page of comments in display order (``journal.threads``).

    Keyset paging: no query counts the comments or the pages, so a page costs
    the same however big the thread."""

    next = serializers.CharField(
        allow_null=True,
        help_text="The next page (the same address with `after` moved on), or "
        "null after the last comment.",
    )
    results = CommentSerializer(many=True)
