"""Every error leaves as `{"error": {"code", "message"}}` with the right status; never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from retrieval.errors import CatalogMissingError, InvalidQueryError, RetrievalError, UnknownShopError

log = logging.getLogger("rih.api")

# Domain error -> (status, code). Subclasses first: the first match wins.
DOMAIN_ERRORS: list[tuple[type[Exception], int, str]] = [
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

    @app.exception_handler(Exception)
    async def domain_or_unexpected(_: Request, error: Exception) -> JSONResponse:
        for kind, status, code in DOMAIN_ERRORS:
            if isinstance(error, kind):
                message = str(error.args[0]) if error.args else str(error)
                return JSONResponse(error_body(code, message), status_code=status)
        log.exception("unexpected error")  # the trace goes to the log, never to the client
        return JSONResponse(error_body("internal_error", "An unexpected error occurred."), status_code=500)
