"""One shape for every refused request: `{"errors": [{"path": "accounts[3].arr", "message": "..."}]}`
for bad input (400), DRF's `{"detail": "..."}` for the rest (401, 403, 404, 429)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

TOP = "(body)"  # the path of a problem with the request as a whole


def problems(detail, path: str = "") -> list[dict]:
    """Flatten DRF's nested error detail into path/message pairs (`rows[2].color`)."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                found += problems(value, path)
            else:
                found += problems(value, f"{path}.{key}" if path else str(key))
        return found
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"path": path or TOP, "message": str(item)} for item in detail]
        found = []
        for i, item in enumerate(detail):
            found += problems(item, f"{path}[{i}]")
        return found
    return [{"path": path or TOP, "message": str(detail)}]


def bad_request(found: list[dict]) -> Response:
    return Response({"errors": found}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return bad_request(problems(detail))
    if isinstance(exc, exceptions.ValidationError):
        return bad_request(problems(exc.detail))
    if isinstance(exc, exceptions.ParseError):
        return bad_request([{"path": TOP, "message": str(exc.detail)}])
    return drf_exception_handler(exc, context)
