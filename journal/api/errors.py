"""Every API error has the same shape: {"code": ..., "detail": ...}.

Validation errors add "errors" (field -> messages). A rule refusal carries the
rule's code and the very sentence the web form shows; a rate limit adds
Retry-After.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (for the schema)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class Refused(exceptions.APIException):
    """A comment rule said no: 403, or 429 with Retry-After for the rate limit."""

    def __init__(self, *, code: str, detail: str, retry_after: int = 0):
        self.status_code = (
            status.HTTP_429_TOO_MANY_REQUESTS
            # A rate limit, the journal's or a scheduled window's: waiting helps.
            if code == "rate.limited" or retry_after > 0
            else status.HTTP_403_FORBIDDEN
        )
        self.retry_after = retry_after
        super().__init__(detail=detail, code=code)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _flatten(data, prefix: str = "") -> dict[str, list[str]]:
    """Field -> sentences, nested fields named by their path ("items.2.comment"),
    never a Python repr of DRF's nested error structure."""
    errors: dict[str, list[str]] = {}

    def add(path: str, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                add(f"{path}.{key}" if path else str(key), item)
        elif isinstance(value, list) and any(
            isinstance(item, dict | list) for item in value
        ):
            for index, item in enumerate(value):
                if item:  # list serializers give {} for the items that are fine
                    add(f"{path}.{index}" if path else str(index), item)
        else:
            items = value if isinstance(value, list) else [value]
            errors.setdefault(path or "non_field_errors", []).extend(
                str(item) for item in items
            )

    add(prefix, data)
    return errors


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(response.data)
        first = next((messages[0] for messages in errors.values() if messages), "")
        response.data = {"code": "invalid", "detail": first, "errors": errors}
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = {"code": code, "detail": str(exc.detail)}
    if isinstance(exc, Refused) and exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


def error_responses(*statuses: int) -> dict:
    """drf-spectacular responses documenting the error shape for ``statuses``."""
    descriptions = {
        400: "Invalid input",
        401: "Not logged in, or the token is not valid",
        403: "Not allowed (for comments: the rule that refused, and why)",
        404: "Not found (or not yours to see: the two look the same)",
        409: "Conflict: the object changed or the action was already done",
        429: "Too many comments; see the Retry-After header",
    }
    return {
        code: OpenApiResponse(ErrorSerializer, description=descriptions[code])
        for code in statuses
    }


@csrf_exempt  # like every API view; it changes nothing
def api_not_found(request, *args, **kwargs):
    return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
