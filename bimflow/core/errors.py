"""One error shape for the API, and no stack traces for users.

DRF already answers validation errors as ``{"field": ["message"]}`` and other client
errors as ``{"detail": "..."}``. What it does not cover (an unexpected exception) is
logged here with its traceback and answered as a 500 with a sentence, never the trace.
"""

from __future__ import annotations

import logging

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger("bimflow.api")


class ServiceError(Exception):
    """A request that cannot be done, with a message for the user and an HTTP status."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, status_code: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        body = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        return Response(body, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        log.exception("Unhandled error in %s", context.get("view"), exc_info=exc)
        return Response(
            {"detail": "The server hit an internal error; it was logged for the operators."},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return response
