"""Every error leaves as `{"error": {"code", "message"}}` with the right status; never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.deps import AuthError
from assistant.conversation import InvalidMessageError
from assistant.errors import (
    InvalidFeedbackError,
    MissingInformationError,
    UnknownDecisionError,
    UnknownSessionError,
)
from dispatch_core.errors import InvalidInputError as DispatchInputError
from dispatch_core.errors import NoCandidatesError
from retrieval.errors import CatalogMissingError, InvalidQueryError, RetrievalError, UnknownShopError

log = logging.getLogger("rih.api")

# Domain error -> (status, code). Subclasses first: the first match wins.
DOMAIN_ERRORS: list[tuple[type[Exception], int, str]] = [
    (AuthError, 401, "unauthorized"),
    (UnknownSessionError, 404, "unknown_session"),
    (UnknownDecisionError, 404, "unknown_decision"),
    (InvalidFeedbackError, 422, "invalid_feedback"),
    (MissingInformationError, 422, "missing_information"),
    (InvalidMessageError, 422, "invalid_message"),
    (NoCandidatesError, 422, "no_candidates"),
    (DispatchInputError, 422, "invalid_dispatch_input"),
    (UnknownShopError, 404, "unknown_shop"),
    (InvalidQueryError, 422, "invalid_query"),
    (CatalogMissingError, 503, "catalog_missing"),
    (RetrievalError, 400, "retrieval_error"),
]


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def _validation_message(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "The request is not valid."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("invalid_request", _validation_message(error)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            error.status_code, "http_error"
        )
        return JSONResponse(error_body(code, str(error.detail)), status_code=error.status_code)

    async def domain(_: Request, error: Exception) -> JSONResponse:
        status, body = domain_error(error)
        return JSONResponse(body, status_code=status)

    # Registered per class (not under `Exception`): Starlette re-raises whatever reaches the catch-all,
    # which would print a stack trace into the server log for an ordinary client mistake.
    for kind, _status, _code in DOMAIN_ERRORS:
        app.add_exception_handler(kind, domain)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(error).__name__, exc_info=error)
        return JSONResponse(error_body("internal_error", "An unexpected error occurred."), status_code=500)


def is_domain_error(error: Exception) -> bool:
    return any(isinstance(error, kind) for kind, _, _ in DOMAIN_ERRORS)


def domain_error(error: Exception) -> tuple[int, dict[str, dict[str, str]]]:
    """(HTTP status, error body) of a domain error, as every route answers it."""
    status, code = domain_status(error)
    if isinstance(error, AuthError):
        status, code = error.status, "unauthorized" if error.status == 401 else "forbidden"
    message = str(error.args[0]) if error.args else str(error)
    return status, error_body(code, message)


def domain_status(error: Exception) -> tuple[int, str]:
    """(HTTP status, error code) of a domain error: the first matching class in `DOMAIN_ERRORS`."""
    return next(
        ((status, code) for kind, status, code in DOMAIN_ERRORS if isinstance(error, kind)),
        (400, "bad_request"),
    )
