"""Page numbers in the API: a whole number from 1, or a 400 that says so."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from journal.params import MAX_PAGE, whole_number


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
            {"page": [f"A page is a whole number from 1 to {MAX_PAGE}."]}
        )
    return number


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        return page_number(request.query_params)
