"""Page numbers in the API: a whole number from 1, or a 400 that says so."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def page_number(params) -> int:
    """The ``page`` parameter; absent is 1, anything but a whole number from 1
    is refused instead of quietly showing the first page. A page past the last
    is the paginator's 404."""
    value = params.get("page")
    if value is None:
        return 1
    if not value.isdigit() or int(value) < 1:
        raise ValidationError({"page": ["A page is a whole number from 1."]})
    return int(value)


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        return page_number(request.query_params)
